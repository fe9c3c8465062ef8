package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.SseStream;
import dev.agentry.server.SseStream.Frame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events cross nodes: the log is in the database, and NOTIFY tells every node when it grew. */
class EventsAcrossNodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir Path dir;

    @Test
    void a_subscriber_on_one_node_sees_every_event_of_runs_another_node_executes_even_after_that_node_is_killed() throws Exception {
        var env = Map.of("AGENTRY_DATABASE_URL", TestDatabase.freshUrl());
        var a = ServerProcess.start(dir.resolve("a"), "node-a", env);
        var b = ServerProcess.start(dir.resolve("b"), "node-b", env);
        try (var stream = SseStream.open(b.url + "/api/workspaces/default/events", null)) {
            long start = stream.next(WAIT).number(); // the snapshot's position
            a.post("/pipelines", "{name: three, steps: [{id: s1, kind: command, run: 'echo one'}, "
                    + "{id: s2, kind: command, run: 'echo two', needs: [s1]}, {id: s3, kind: noop, needs: [s2]}]}",
                    "application/yaml", 201);
            var runs = new HashSet<Long>();
            for (int i = 0; i < 20; i++) {
                runs.add(a.post("/runs", "{\"pipeline\": \"three\"}", "application/json", 201).path("id").asLong());
            }
            var received = new ArrayList<Frame>(awaitFinished(stream, runs));
            assertThat(received).filteredOn(f -> f.event().equals("step.started"))
                    .extracting(f -> f.json().at("/data/node").asText())
                    .as("node A executed steps that the subscriber on node B saw").contains("node-a");

            // Node A dies with runs in flight: its committed events still reach B's subscriber, once each.
            var more = new HashSet<Long>();
            for (int i = 0; i < 10; i++) {
                more.add(a.post("/runs", "{\"pipeline\": \"three\"}", "application/json", 201).path("id").asLong());
            }
            a.kill();
            received.addAll(awaitFinished(stream, more));

            var ids = received.stream().filter(f -> f.id() != null).map(Frame::number).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();
            assertThat(ids).as("exactly the log, in order").isEqualTo(exported(b, start, ids.get(ids.size() - 1)));
        } finally {
            a.close();
            b.close();
        }
    }

    /** Frames until every run in {@code runs} has succeeded. */
    private static List<Frame> awaitFinished(SseStream stream, Set<Long> runs) {
        var left = new HashSet<>(runs);
        var frames = new ArrayList<Frame>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!left.isEmpty()) {
            assertThat(System.nanoTime()).as("runs still unfinished: %s", left).isLessThan(deadline);
            Frame f = stream.next(WAIT);
            frames.add(f);
            if (f.event().equals("run.succeeded")) {
                left.remove(f.json().get("run").asLong());
            }
        }
        return frames;
    }

    private static List<Long> exported(ServerProcess server, long since, long until) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.url + "/api/workspaces/default/events/export?since=" + since))
                        .header("Authorization", "Bearer " + dev.agentry.server.TestServer.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofLines());
        return response.body().filter(l -> !l.isBlank()).map(l -> {
            try {
                return JSON.readTree(l).get("id").asLong();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(id -> id <= until).toList();
    }
}
