package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability against SIGKILL, with real server processes and the embedded PostgreSQL they own. */
class SigkillTest {
    @TempDir Path dir;

    @Test
    void acknowledged_runs_survive_repeated_sigkills_and_no_succeeded_step_runs_again() throws Exception {
        long seed = System.nanoTime();
        var random = new Random(seed);
        System.out.println("SigkillTest seed " + seed);
        Path home = dir.resolve("home");
        var ledger = new Ledger(dir.resolve("ledger"));
        List<Long> acknowledged = new ArrayList<>();

        var server = ServerProcess.start(home, "n0", Map.of());
        try {
            server.post("/pipelines", ledger.pipeline("ledger", 3, "0.2"), "application/yaml", 201);
            for (int round = 1; round <= 5; round++) {
                for (int i = 0; i < 20; i++) {
                    acknowledged.add(server.post("/runs", "{\"pipeline\": \"ledger\"}", "application/json", 201).path("id").asLong());
                }
                Thread.sleep(100 + random.nextInt(600)); // steps are in flight now
                server.kill();
                if (round % 2 == 0) {
                    server.killEmbeddedPostgres(); // as if the machine lost power: only fsynced data is left
                }
                server = ServerProcess.start(home, "n" + round, Map.of());
            }
            final var last = server;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (long run : acknowledged) {
                    assertThat(last.get("/runs/" + run).path("status").asText()).as("run %d", run).isEqualTo("succeeded");
                }
            });
            ledger.assertAccountedFor(server, acknowledged, 3);
        } finally {
            server.close();
        }
    }

    @Test
    void commands_left_running_by_a_killed_server_are_stopped_when_it_starts_again() throws Exception {
        Path home = dir.resolve("home");
        Path pidFile = dir.resolve("child.pid");
        var server = ServerProcess.start(home, "first", Map.of());
        long child;
        try {
            server.post("/pipelines", """
                    name: stuck
                    steps:
                      - {id: wait, kind: command, run: "sleep 300 & echo $! > %s; wait"}
                    """.formatted(pidFile), "application/yaml", 201);
            server.post("/runs", "{\"pipeline\": \"stuck\"}", "application/json", 201);
            await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(pidFile)
                    && !java.nio.file.Files.readString(pidFile).isBlank());
            child = Long.parseLong(java.nio.file.Files.readString(pidFile).trim());
        } finally {
            server.kill();
        }
        assertThat(ProcessHandle.of(child)).as("the command outlives the killed server").isPresent();
        server = ServerProcess.start(home, "second", Map.of());
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
        } finally {
            server.close();
        }
    }
}
