package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.SseStream;
import dev.agentry.server.SseStream.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The workspace event stream over Server-Sent Events, read by the JDK's HTTP client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
        api.apply("""
                name: hello
                steps:
                  - {id: say, kind: command, run: 'echo hello; echo world'}
                  - {id: done, kind: noop, needs: [say]}
                """);
        api.apply("{name: slow, steps: [{id: work, kind: command, run: 'echo first; sleep 3; echo second'}]}");
        api.apply("{name: gate, steps: [{id: ask, kind: approval, prompt: 'Ship it?'}, {id: after, kind: noop, needs: [ask]}]}");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    private SseStream open(String query, String lastEventId) {
        var stream = SseStream.open(api.server.url + WS + "/events" + query, lastEventId);
        assertThat(stream.status).isEqualTo(200);
        assertThat(stream.contentType).startsWith("text/event-stream");
        return stream;
    }

    private long startHello() {
        return api.start("{\"pipeline\": \"hello\"}");
    }

    private static boolean endOf(Frame f, long run) {
        return f.event().equals("run.succeeded") && f.json().path("run").asLong() == run;
    }

    /** Every event of the workspace after {@code since}, from the NDJSON export. */
    private List<Long> exported(long since) throws IOException {
        var r = api.server.get(WS + "/events/export?since=" + since);
        assertThat(r.statusCode()).isEqualTo(200);
        var ids = new ArrayList<Long>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                ids.add(JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Long> ids(List<Frame> frames) {
        return frames.stream().filter(f -> f.id() != null).map(Frame::number).toList();
    }

    @Test
    void a_new_stream_starts_with_a_snapshot_then_delivers_each_change_as_it_happens_in_id_order() {
        try (var stream = open("", null)) {
            Frame snapshot = stream.next(WAIT);
            assertThat(snapshot.event()).isEqualTo("snapshot");
            JsonNode s = snapshot.json();
            assertThat(s.get("type").asText()).isEqualTo("snapshot");
            assertThat(s.get("id").asLong()).isEqualTo(snapshot.number()).isEqualTo(s.at("/data/position").asLong());
            assertThat(stream.comments).contains("retry: " + EventRoutes.RETRY_MILLIS);

            long run = startHello();
            var all = stream.until(f -> endOf(f, run), WAIT);

            assertThat(ids(all)).isSorted().doesNotHaveDuplicates().allMatch(id -> id > snapshot.number());
            var frames = all.stream().filter(f -> f.json().path("run").asLong() == run).toList(); // other tests' runs may finish meanwhile
            assertThat(frames).extracting(Frame::event).containsSubsequence("run.queued", "run.started", "step.ready",
                    "step.started", "step.log", "step.succeeded", "step.ready", "step.started", "step.succeeded",
                    "run.succeeded");
            for (Frame f : frames) {
                JsonNode e = f.json();
                assertThat(e.get("type").asText()).as("the SSE event name is the event type").isEqualTo(f.event());
                assertThat(e.get("id").asLong()).isEqualTo(f.number());
                assertThat(e.get("workspace").asText()).isEqualTo("default");
                assertThat(e.get("run").asLong()).isEqualTo(run);
                assertThat(e.has("ts") && e.has("data")).isTrue();
            }
            String printed = frames.stream().filter(f -> f.event().equals("step.log"))
                    .map(f -> f.json().at("/data/text").asText()).reduce("", String::concat);
            assertThat(printed).isEqualTo("hello\nworld\n");
        }
    }

    @Test
    void a_stream_resumed_with_last_event_id_gets_exactly_the_missed_events_then_live_ones() throws IOException {
        long lastSeen;
        try (var stream = open("", null)) {
            stream.next(WAIT); // snapshot
            long first = startHello();
            var frames = stream.until(f -> endOf(f, first), WAIT);
            lastSeen = frames.get(frames.size() - 1).number();
        }
        // While nobody listens, two more runs happen.
        long missed1 = startHello();
        long missed2 = startHello();
        api.awaitRun(missed1, "succeeded");
        api.awaitRun(missed2, "succeeded");
        var missed = exported(lastSeen);
        assertThat(missed).isNotEmpty();

        try (var stream = open("", Long.toString(lastSeen))) {
            var replayed = new ArrayList<Frame>();
            while (replayed.size() < missed.size()) {
                replayed.add(stream.next(WAIT));
            }
            assertThat(replayed).extracting(Frame::event).doesNotContain("snapshot");
            assertThat(ids(replayed)).isEqualTo(missed);

            long live = startHello();
            var after = stream.until(f -> endOf(f, live), WAIT);
            assertThat(ids(after)).isSorted().allMatch(id -> id > missed.get(missed.size() - 1));
            assertThat(after).extracting(f -> f.json().path("run").asLong()).containsOnly(live);
        }
    }

    @Test
    void the_snapshot_shows_runs_in_flight_with_their_steps_and_the_decisions_waiting_for_people() throws IOException {
        long gated = api.start("{\"pipeline\": \"gate\"}");
        api.awaitRun(gated, "needs-you");
        var log = exported(0);
        try (var stream = open("?run=" + gated, null)) {
            Frame snapshot = stream.next(WAIT);
            JsonNode data = snapshot.json().get("data");
            assertThat(data.get("position").asLong()).isEqualTo(log.get(log.size() - 1));
            assertThat(data.get("runs")).hasSize(1);
            JsonNode run = data.get("runs").get(0);
            assertThat(run.get("id").asLong()).isEqualTo(gated);
            assertThat(run.get("status").asText()).isEqualTo("needs-you");
            assertThat(run.get("steps")).extracting(st -> st.get("id").asText() + "=" + st.get("status").asText())
                    .containsExactly("ask=waiting", "after=pending");
            assertThat(data.get("decisions")).extracting(d -> d.get("prompt").asText()).containsExactly("Ship it?");
            assertThat(data.get("attention")).isEmpty();

            long decision = data.get("decisions").get(0).get("id").asLong();
            ok(api.post(WS + "/decisions/" + decision + "/approve", "{}"), 200);
            var frames = stream.until(f -> endOf(f, gated), WAIT);
            assertThat(frames).extracting(Frame::event).containsSubsequence("decision.answered", "run.resumed", "run.succeeded");
        }
    }

    @Test
    void filters_keep_only_the_asked_types_of_the_asked_run() {
        try (var stream = open("?type=run.*&type=step.succeeded", null)) {
            long run = startHello();
            var frames = stream.until(f -> endOf(f, run), WAIT);
            assertThat(frames).extracting(Frame::event)
                    .as("no snapshot (not asked for), only run.* and step.succeeded")
                    .containsExactly("run.queued", "run.started", "step.succeeded", "step.succeeded", "run.succeeded");
        }
        long other = startHello();
        long mine = startHello();
        api.awaitRun(other, "succeeded");
        try (var stream = open("?since=0&run=" + mine + "&type=run.succeeded", null)) {
            var frames = stream.until(f -> endOf(f, mine), WAIT);
            assertThat(frames).hasSize(1);
        }
    }

    @Test
    void the_output_of_a_running_step_can_be_read_before_it_finishes() {
        long run = api.start("{\"pipeline\": \"slow\"}");
        var items = org.awaitility.Awaitility.await().atMost(WAIT).until(
                () -> ok(api.get(WS + "/runs/" + run + "/logs?step=work"), 200).get("items"),
                i -> i.size() == 1 && i.get(0).get("log").asText().equals("first\n"));
        assertThat(items.get(0).get("status").asText()).isEqualTo("running");
        assertThat(items.get(0).get("attempt").asInt()).isEqualTo(1);
        api.awaitRun(run, "succeeded");
        var done = ok(api.get(WS + "/runs/" + run + "/logs?step=work"), 200).get("items");
        assertThat(done).hasSize(1);
        assertThat(done.get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(done.get(0).get("log").asText()).isEqualTo("first\nsecond\n");
    }

    @Test
    void the_watch_example_streams_its_output_and_the_progress_it_reports() throws IOException {
        api.apply(java.nio.file.Files.readString(java.nio.file.Path.of("../examples/watch.yaml")));
        try (var stream = open("?type=step.log,step.progress,run.succeeded", null)) {
            long run = api.start("{\"pipeline\": \"watch\", \"inputs\": {\"parts\": \"3\"}}");
            var frames = stream.until(f -> endOf(f, run), WAIT).stream().filter(f -> f.json().path("run").asLong() == run).toList();
            assertThat(frames).filteredOn(f -> f.event().equals("step.progress"))
                    .extracting(f -> f.json().at("/data/completed").asInt() + "/" + f.json().at("/data/total").asInt())
                    .containsExactly("1/3", "2/3", "3/3");
            String printed = frames.stream().filter(f -> f.event().equals("step.log"))
                    .map(f -> f.json().at("/data/text").asText()).reduce("", String::concat);
            assertThat(printed).isEqualTo("building part 1 of 3\nbuilding part 2 of 3\nbuilding part 3 of 3\npublishing 3 parts\n");
        }
    }

    @Test
    void an_idle_stream_gets_heartbeat_comments() {
        try (var stream = open("?type=nothing.matches", null)) {
            try {
                Thread.sleep(2_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(stream.comments).contains(": heartbeat");
            assertThat(stream.ended()).isFalse();
        }
    }

    @Test
    void a_bad_resume_point_or_filter_is_refused_before_the_stream_starts() {
        problem(api.get(WS + "/events?since=-1"), 400, "since");
        problem(api.get(WS + "/events?since=abc"), 400, "since");
        problem(api.get(WS + "/events?type=Run%20*"), 400, "type");
        problem(api.get(WS + "/events?run=x"), 400, "run");
        problem(api.get("/api/workspaces/nope/events"), 404, "workspace");
        var r = api.server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.server.url + WS + "/events"))
                .header("Last-Event-ID", "1; DROP TABLE event"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Last-Event-ID");
    }
}
