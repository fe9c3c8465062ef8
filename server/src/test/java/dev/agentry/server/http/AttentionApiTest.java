package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.SseStream;
import dev.agentry.server.SseStream.Frame;
import dev.agentry.server.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Liveness and attention: a step whose executor shows no sign of life (no output, no progress) for the
 * stall window raises a {@code stalled} item, which resolves when the step speaks again or ends, or by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttentionApiTest {
    /** Heartbeats are written with lease renewal, every second here (lease 3 s); a stall shows after 2 s. */
    private static final Duration STALL = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(30);
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture(new TestServer(new ServerConfig.Events(Duration.ofDays(7), Duration.ofSeconds(60),
                Duration.ofSeconds(1), 10_000, STALL, 1 << 20)));
        api.apply("{name: quiet, steps: [{id: think, kind: command, run: 'echo starting; sleep 4; for i in 1 2 3; do echo thinking; sleep 0.7; done'}]}");
        api.apply("{name: silent, steps: [{id: wait, kind: command, run: 'sleep 6'}]}");
        api.apply("{name: chatty, steps: [{id: talk, kind: command, run: 'for i in $(seq 1 15); do echo $i; sleep 0.2; done'}]}");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    private static boolean of(Frame f, long run) {
        return f.json().path("run").asLong() == run;
    }

    @Test
    void a_silent_step_raises_a_stalled_item_that_resolves_itself_when_the_step_speaks_again() {
        try (var stream = SseStream.open(api.server.url + WS + "/events?type=liveness.*,attention.*,run.succeeded", null)) {
            long run = api.start("{\"pipeline\": \"quiet\"}");
            var frames = stream.until(f -> f.event().equals("run.succeeded") && of(f, run), WAIT).stream()
                    .filter(f -> of(f, run)).toList();
            assertThat(frames).extracting(Frame::event).startsWith("liveness.changed", "attention.raised", "liveness.changed",
                    "attention.resolved");
            assertThat(frames.get(0).json().at("/data/alive").asBoolean()).isFalse();
            JsonNode raised = frames.get(1).json().get("data");
            assertThat(raised.get("kind").asText()).isEqualTo("stalled");
            assertThat(raised.get("summary").asText()).contains("step think of run " + run, "no sign of life");
            assertThat(frames.get(2).json().at("/data/alive").asBoolean()).isTrue();
            assertThat(frames.get(3).json().at("/data/resolvedBy").asText()).isEqualTo("agentry");

            var item = ok(api.get(WS + "/attention/" + raised.get("id").asLong()), 200);
            assertThat(item.get("status").asText()).isEqualTo("resolved");
            assertThat(item.get("type").asText()).isEqualTo("stalled");
            assertThat(item.get("step").asText()).isEqualTo("think");
        }
        assertThat(ok(api.get(WS + "/attention"), 200).get("items")).as("nothing left open").isEmpty();
    }

    @Test
    void a_person_can_resolve_a_stalled_item_and_it_is_not_raised_again_for_the_same_silence() throws Exception {
        long run = api.start("{\"pipeline\": \"silent\"}");
        JsonNode item = await().atMost(WAIT).until(() -> openItemOf(run), i -> i != null);
        var resolved = ok(api.post(WS + "/attention/" + item.get("id").asLong() + "/resolve",
                "{\"note\": \"it is a long sleep\", \"by\": \"ana\"}"), 200);
        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.get("resolvedBy").asText()).isEqualTo("ana");
        assertThat(resolved.get("resolution").asText()).isEqualTo("it is a long sleep");

        Thread.sleep(STALL.toMillis() * 2);
        assertThat(openItemOf(run)).as("still silent, but already seen to").isNull();
        api.awaitRun(run, "succeeded");
        // Resolving again changes nothing.
        var again = ok(api.post(WS + "/attention/" + item.get("id").asLong() + "/resolve", "{}"), 200);
        assertThat(again.get("resolvedBy").asText()).isEqualTo("ana");
    }

    @Test
    void a_step_that_keeps_printing_is_never_reported_stalled() {
        long run = api.start("{\"pipeline\": \"chatty\"}");
        api.awaitRun(run, "succeeded");
        var items = ok(api.get(WS + "/attention?status=all&run=" + run), 200).get("items");
        assertThat(items).isEmpty();
    }

    @Test
    void bad_attention_requests_name_the_field() {
        problem(api.get(WS + "/attention?status=closed"), 400, "status");
        problem(api.get(WS + "/attention/abc"), 400, "id");
        problem(api.get(WS + "/attention/999999"), 404, "id");
        problem(api.post(WS + "/attention/999999/resolve", "{}"), 404, "id");
        problem(api.post(WS + "/attention/1/resolve", "{\"note\": 5}"), 400, "note");
        problem(api.post(WS + "/attention/1/resolve", "{\"reason\": \"x\"}"), 400, "reason");
    }

    private JsonNode openItemOf(long run) {
        List<JsonNode> open = new java.util.ArrayList<>();
        ok(api.get(WS + "/attention?run=" + run), 200).get("items").forEach(open::add);
        return open.isEmpty() ? null : open.get(0);
    }
}
