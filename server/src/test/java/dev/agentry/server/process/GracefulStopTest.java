package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM stops a server cleanly: what it was running is handed back, not failed, and nothing is lost. */
class GracefulStopTest {
    @TempDir Path dir;

    @Test
    void sigterm_hands_running_steps_back_and_the_run_finishes_after_a_restart() throws Exception {
        Path home = dir.resolve("home");
        Path started = dir.resolve("started");
        Path release = dir.resolve("release");
        var server = ServerProcess.start(home, "first", Map.of());
        long run;
        try {
            server.post("/pipelines", """
                    name: long
                    steps:
                      - id: work
                        kind: command
                        run: "echo $AGENTRY_IDEMPOTENCY_KEY >> %s; while [ ! -f %s ]; do sleep 0.05; done"
                      - {id: after, kind: noop, needs: [work]}
                    """.formatted(started, release), "application/yaml", 201);
            run = server.post("/runs", "{\"pipeline\": \"long\"}", "application/json", 201).path("id").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
        } finally {
            server.process.destroy(); // SIGTERM
        }
        assertThat(server.process.waitFor(60, TimeUnit.SECONDS)).as("the server stops by itself").isTrue();
        assertThat(server.process.exitValue()).isZero();
        String log = Files.readString(Files.list(home).filter(p -> p.getFileName().toString().startsWith("server-first")).findFirst().orElseThrow());
        assertThat(log).doesNotContain("could not record");

        Files.createFile(release);
        server = ServerProcess.start(home, "second", Map.of());
        try {
            final var s = server;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(s.get("/runs/" + run).path("status").asText()).isEqualTo("succeeded"));
            var attempts = server.get("/runs/" + run + "/steps/work").path("attempts");
            assertThat(attempts.get(0).path("status").asText()).isEqualTo("expired");
            assertThat(attempts.get(0).path("node").asText()).isEqualTo("first");
            assertThat(attempts.get(1).path("status").asText()).isEqualTo("succeeded");
            assertThat(attempts.get(1).path("idempotencyKey").asText()).isEqualTo(attempts.get(0).path("idempotencyKey").asText());
        } finally {
            server.close();
        }
    }
}
