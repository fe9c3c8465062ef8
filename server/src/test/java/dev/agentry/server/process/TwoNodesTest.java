package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two server processes on one external database share the work, and survive each other. */
class TwoNodesTest {
    @TempDir Path dir;

    @Test
    void two_nodes_share_the_work_and_one_finishes_what_the_other_left_when_killed() throws Exception {
        var env = Map.of("AGENTRY_DATABASE_URL", TestDatabase.freshUrl());
        var ledger = new Ledger(dir.resolve("ledger"));
        var a = ServerProcess.start(dir.resolve("a"), "node-a", env);
        var b = ServerProcess.start(dir.resolve("b"), "node-b", env);
        try {
            // Which node ran what comes from the attempt records; the ledger says what really executed.
            a.post("/pipelines", ledger.pipeline("shared", 3, "0.1"), "application/yaml", 201);
            List<Long> runs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                runs.add((i % 2 == 0 ? a : b).post("/runs", "{\"pipeline\": \"shared\"}", "application/json", 201).path("id").asLong());
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (long run : runs) {
                    assertThat(b.get("/runs/" + run).path("status").asText()).isEqualTo("succeeded");
                }
            });
            ledger.assertAccountedFor(b, runs, 3);
            assertThat(ledger.lines()).hasSize(90); // nothing killed yet: every step executed exactly once
            var nodes = nodesThatRan(b, runs);
            assertThat(nodes).as("both nodes executed steps").containsOnlyKeys("node-a", "node-b");

            List<Long> second = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                second.add(a.post("/runs", "{\"pipeline\": \"shared\"}", "application/json", 201).path("id").asLong());
            }
            Thread.sleep(300);
            a.kill();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (long run : second) {
                    assertThat(b.get("/runs/" + run).path("status").asText()).isEqualTo("succeeded");
                }
            });
            var all = new ArrayList<>(runs);
            all.addAll(second);
            ledger.assertAccountedFor(b, all, 3);
        } finally {
            a.close();
            b.close();
        }
    }

    private static Map<String, Long> nodesThatRan(ServerProcess server, List<Long> runs) {
        var nodes = new ArrayList<String>();
        for (long run : runs) {
            for (int i = 1; i <= 3; i++) {
                server.get("/runs/" + run + "/steps/s" + i).path("attempts").forEach(x -> nodes.add(x.path("node").asText()));
            }
        }
        return nodes.stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
    }
}
