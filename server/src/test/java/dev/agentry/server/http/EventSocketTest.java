package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.event.Delivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The event stream over WebSocket, through a real WebSocket client against a real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSocketTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
        api.apply("{name: two, steps: [{id: first, kind: noop}, {id: second, kind: noop, needs: [first]}]}");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    @Test
    void a_subscriber_gets_a_snapshot_first_then_a_runs_events_in_id_order() {
        try (var socket = Socket.open(api, WS + "/ws")) {
            socket.send("{\"type\":\"subscribe\"}");
            var snapshot = socket.next();
            assertThat(snapshot.get("type").asText()).as("%s", snapshot).isEqualTo("snapshot");
            assertThat(snapshot.get("workspace").asText()).isEqualTo("default");
            assertThat(snapshot.get("id").asLong()).isEqualTo(snapshot.get("data").get("position").asLong());

            long run = api.start("{\"pipeline\": \"two\"}");
            var received = socket.until(finished(run));

            assertThat(ids(received)).as("ids in the order received").isSorted().doesNotHaveDuplicates()
                    .allSatisfy(id -> assertThat(id).isGreaterThan(snapshot.get("id").asLong()));
            var ofRun = received.stream().filter(e -> e.path("run").asLong() == run).toList();
            assertThat(typesAndIds(ofRun)).as("the run's events, as the log has them")
                    .isEqualTo(typesAndIds(export("?run=" + run)));
            assertThat(types(ofRun)).contains("run.started", "step.started", "step.succeeded", "run.succeeded");
        }
    }

    @Test
    void a_subscriber_that_resumes_with_since_gets_exactly_the_events_it_missed() {
        long lastSeen;
        try (var socket = Socket.open(api, WS + "/ws")) {
            socket.send("{\"type\":\"subscribe\"}");
            socket.next(); // the snapshot
            long run = api.start("{\"pipeline\": \"two\"}");
            var received = socket.until(finished(run));
            lastSeen = received.getLast().get("id").asLong();
        }

        long missed = api.start("{\"pipeline\": \"two\"}");
        api.awaitRun(missed, "succeeded");

        try (var socket = Socket.open(api, WS + "/ws")) {
            socket.send("{\"type\":\"subscribe\",\"since\":" + lastSeen + "}");
            var received = socket.until(finished(missed));
            assertThat(received.getFirst().get("type").asText()).as("no snapshot when resuming").isNotEqualTo("snapshot");
            assertThat(ids(received)).isSorted().doesNotHaveDuplicates();
            long through = received.getLast().get("id").asLong();
            var logged = export("?since=" + lastSeen).stream().filter(e -> e.get("id").asLong() <= through).toList();
            assertThat(typesAndIds(received)).as("everything after %s, as the log has it", lastSeen).isEqualTo(typesAndIds(logged));
            assertThat(received).anySatisfy(e -> assertThat(e.path("run").asLong()).isEqualTo(missed));
        }
    }

    @Test
    void resuming_from_an_id_the_log_cannot_replay_gets_a_gap_then_a_fresh_snapshot() {
        try (var socket = Socket.open(api, WS + "/ws")) {
            socket.send("{\"type\":\"subscribe\",\"since\":999999999}");
            var gap = socket.next();
            assertThat(gap.get("type").asText()).as("%s", gap).isEqualTo("gap");
            assertThat(gap.get("problem").asText()).isEqualTo("urn:agentry:problem:events-gone");
            assertThat(gap.get("requested").asLong()).isEqualTo(999999999L);
            assertThat(gap.get("detail").asText()).contains("999999999", "a snapshot follows");
            assertThat(gap.has("id")).as("control messages have no id to resume from").isFalse();
            assertThat(socket.next().get("type").asText()).isEqualTo("snapshot");
        }
    }

    @Test
    void a_cut_off_says_where_to_resume_in_this_protocol() {
        var cutOff = parse(EventSocket.message(new Delivery.CutOff(42, "fell more than 10 events behind"), "default"));
        assertThat(cutOff.get("type").asText()).isEqualTo("cut-off");
        assertThat(cutOff.get("reason").asText()).isEqualTo("fell more than 10 events behind");
        assertThat(cutOff.get("resumeAfter").asLong()).isEqualTo(42);
        assertThat(cutOff.get("detail").asText()).contains("\"since\": 42").doesNotContain("Last-Event-ID");
    }

    @Test
    void a_bad_subscribe_message_gets_an_error_naming_the_field_and_the_connection_stays_usable() {
        record Bad(String message, String field) {}
        var bad = List.of(
                new Bad("{\"type\":\"subscribe\"", ""),
                new Bad("[1, 2]", ""),
                new Bad("{\"type\":\"listen\"}", "type"),
                new Bad("{\"since\":3}", "type"),
                new Bad("{\"type\":\"subscribe\",\"sinse\":3}", "sinse"),
                new Bad("{\"type\":\"subscribe\",\"since\":-1}", "since"),
                new Bad("{\"type\":\"subscribe\",\"since\":\"12\"}", "since"),
                new Bad("{\"type\":\"subscribe\",\"run\":0}", "run"),
                new Bad("{\"type\":\"subscribe\",\"types\":\"run.*\"}", "types"),
                new Bad("{\"type\":\"subscribe\",\"types\":[\"Run!\"]}", "types"),
                new Bad("{\"type\":\"subscribe\",\"since\":1,\"since\":2}", ""));
        try (var socket = Socket.open(api, WS + "/ws")) {
            for (Bad b : bad) {
                socket.send(b.message());
                var error = socket.next();
                assertThat(error.get("type").asText()).as("answer to %s: %s", b.message(), error).isEqualTo("error");
                assertThat(error.get("field").asText()).as("field named for %s: %s", b.message(), error).isEqualTo(b.field());
                assertThat(error.get("detail").asText()).as("%s", error).isNotBlank().doesNotContain("Exception", "\tat ");
            }

            socket.send("{\"type\":\"subscribe\"}");
            assertThat(socket.next().get("type").asText()).isEqualTo("snapshot");
            socket.send("{\"type\":\"subscribe\",\"types\":[\"*.log\"]}");
            var error = socket.until(m -> m.get("type").asText().equals("error")).getLast();
            assertThat(error.get("detail").asText()).as("a bad pattern is explained").contains("'*.log'", "run.*");
            // Heartbeats come from the stream: one after the error shows the subscription still runs.
            socket.awaitHeartbeat();
        }
    }

    @Test
    void a_second_subscribe_replaces_the_first() {
        try (var socket = Socket.open(api, WS + "/ws")) {
            socket.send("{\"type\":\"subscribe\",\"types\":[\"step.*\"]}");
            socket.send("{\"type\":\"subscribe\",\"types\":[\"run.*\"]}");
            long run = api.start("{\"pipeline\": \"two\"}");
            var received = socket.until(finished(run));
            assertThat(types(received)).as("only what the second subscribe asked for").allMatch(t -> t.startsWith("run."));
        }
    }

    @Test
    void the_fleet_socket_streams_every_workspace_filtered_by_type_without_snapshots() {
        long position = ok(api.get("/api/streams"), 200).get("position").asLong();
        try (var socket = Socket.open(api, "/api/ws")) {
            socket.send("{\"type\":\"subscribe\",\"types\":[\"run.*\"],\"since\":" + position + "}");
            long run = api.start("{\"pipeline\": \"two\"}");
            var received = socket.until(finished(run));
            assertThat(types(received)).allMatch(t -> t.startsWith("run."));
            assertThat(received).allSatisfy(e -> assertThat(e.get("workspace").asText()).isEqualTo("default"));
            assertThat(types(received.stream().filter(e -> e.get("run").asLong() == run).toList()))
                    .contains("run.started", "run.succeeded");
        }
    }

    @Test
    void closing_the_socket_ends_its_stream_on_the_server() {
        awaitStreams(0); // other tests' sockets are closed, but the server may not have heard yet
        var socket = Socket.open(api, WS + "/ws");
        socket.send("{\"type\":\"subscribe\"}");
        socket.next();
        assertThat(ok(api.get("/api/streams"), 200).get("streams").size()).isEqualTo(1);
        socket.close();
        awaitStreams(0);
    }

    private void awaitStreams(int count) {
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(ok(api.get("/api/streams"), 200).get("streams").size()).isEqualTo(count));
    }

    @Test
    void an_unknown_workspace_is_refused_with_the_reason() {
        try (var socket = Socket.open(api, "/api/workspaces/nope/ws")) {
            assertThat(socket.closed()).isEqualTo("1008 no workspace 'nope'");
        }
    }

    @Test
    void a_plain_get_of_the_socket_says_to_upgrade() {
        var p = problem(api.get(WS + "/ws"), 426, "");
        assertThat(p.get("detail").asText()).contains("WebSocket");
        problem(api.get("/api/workspaces/nope/ws"), 404, "workspace");
    }

    private static Predicate<JsonNode> finished(long run) {
        return e -> e.path("run").asLong() == run && e.get("type").asText().equals("run.succeeded");
    }

    private List<JsonNode> export(String query) {
        var r = api.get(WS + "/events/export" + query);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        var events = new ArrayList<JsonNode>();
        r.text().lines().forEach(line -> events.add(parse(line)));
        return events;
    }

    private static List<Long> ids(List<JsonNode> events) {
        return events.stream().map(e -> e.get("id").asLong()).toList();
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    private static List<String> typesAndIds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("id").asLong() + " " + e.get("type").asText()).toList();
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** A WebSocket client that keeps each whole message it receives, and how the server closed. */
    static final class Socket implements WebSocket.Listener, AutoCloseable {
        private static final Duration WAIT = Duration.ofSeconds(20);
        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Socket open(ApiFixture api, String path) {
            var listener = new Socket();
            try {
                listener.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                        .header("Authorization", "Bearer " + dev.agentry.server.TestServer.ADMIN_TOKEN)
                        .buildAsync(URI.create(api.server.url.replaceFirst("^http", "ws") + path), listener)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("could not connect to " + path, e);
            }
            return listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(parse(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        /** The next message that is not a heartbeat. */
        JsonNode next() {
            while (true) {
                var m = nextIncludingHeartbeats();
                if (!m.get("type").asText().equals("heartbeat")) {
                    return m;
                }
            }
        }

        JsonNode nextIncludingHeartbeats() {
            try {
                var m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(m).as("a message within %s", WAIT).isNotNull();
                return m;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        void awaitHeartbeat() {
            while (!nextIncludingHeartbeats().get("type").asText().equals("heartbeat")) {
                // an event; keep reading
            }
        }

        /** Every message up to and including the first that matches. */
        List<JsonNode> until(Predicate<JsonNode> last) {
            var received = new ArrayList<JsonNode>();
            while (true) {
                var m = next();
                received.add(m);
                if (last.test(m)) {
                    return received;
                }
            }
        }

        /** How the server closed the socket: its status code and reason. */
        String closed() {
            return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }

        @Override
        public void close() {
            // Best effort: the server may be closing too.
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null).join();
            socket.abort();
        }
    }
}
