package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting on a human survives the server being killed, and so do deadlines. */
class ApprovalRestartTest {
    @TempDir Path dir;

    @Test
    void a_pending_approval_survives_a_sigkill_and_the_run_resumes_on_approve_while_a_deadline_fires_after_restart() throws Exception {
        Path home = dir.resolve("home");
        var server = ServerProcess.start(home, "first", Map.of());
        long waiting;
        long timed;
        try {
            server.post("/pipelines", """
                    name: gated
                    steps:
                      - {id: review, kind: approval, prompt: "Ship?"}
                      - {id: ship, kind: command, needs: [review], run: "echo shipped"}
                    """, "application/yaml", 201);
            server.post("/pipelines", """
                    name: timed
                    steps:
                      - {id: review, kind: approval, deadline: 4s, on_deadline: approve}
                      - {id: after, kind: noop, needs: [review]}
                    """, "application/yaml", 201);
            waiting = server.post("/runs", "{\"pipeline\": \"gated\"}", "application/json", 201).path("id").asLong();
            timed = server.post("/runs", "{\"pipeline\": \"timed\"}", "application/json", 201).path("id").asLong();
            final var s = server;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(s.get("/runs/" + waiting).path("status").asText()).isEqualTo("needs-you"));
        } finally {
            server.kill();
            server.killEmbeddedPostgres();
        }
        Thread.sleep(4_500); // the deadline passes while no server is running

        server = ServerProcess.start(home, "second", Map.of());
        try {
            final var s = server;
            var decisions = server.get("/decisions?status=pending").path("items");
            assertThat(decisions).hasSizeGreaterThanOrEqualTo(1);
            long decision = server.get("/runs/" + waiting).path("steps").findValue("decision").asLong();
            assertThat(server.get("/runs/" + waiting).path("status").asText()).isEqualTo("needs-you");

            server.post("/decisions/" + decision + "/approve", "{\"comment\": \"after the crash\"}", "application/json", 200);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(s.get("/runs/" + waiting).path("status").asText()).isEqualTo("succeeded"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(s.get("/runs/" + timed).path("status").asText()).isEqualTo("succeeded"));
            long timedDecision = server.get("/runs/" + timed).path("steps").findValue("decision").asLong();
            assertThat(server.get("/decisions/" + timedDecision).path("status").asText()).isEqualTo("expired");
        } finally {
            server.close();
        }
    }
}
