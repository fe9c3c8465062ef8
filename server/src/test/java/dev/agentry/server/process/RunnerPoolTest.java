package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps on a pool of real {@code agentry runner} processes, driven through the shipped manifest
 * (examples/pools/agentry-runner.yaml) with its bearer token; a runner killed mid-job loses the attempt, which
 * is retried on a fresh runner and succeeds.
 */
class RunnerPoolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "runner-token-for-tests-0123456789";
    @TempDir Path dir;

    @Test
    void a_step_runs_on_a_registered_runner_and_a_killed_runner_means_a_lost_attempt_retried_on_a_fresh_one() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path runnerWork = dir.resolve("runner-work");
        Path mark = dir.resolve("started-once");
        var runner = Runner.start(port, runnerWork, TOKEN);
        var work = new ServerConfig.Work("local", java.util.Set.of("127.0.0.1", "localhost"), "https://api.github.com", null,
                Map.of("runner-token", TOKEN));
        try (var server = new TestServer(work)) {
            String manifest = Files.readString(Path.of("../examples/pools/agentry-runner.yaml"))
                    .replace("http://127.0.0.1:7171", "http://127.0.0.1:" + port);
            var registered = server.post("/api/pools", JSON.writeValueAsString(Map.of("name", "remote", "slots", 2,
                    "labels", List.of("remote"), "manifest", manifest)));
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
            var applied = server.post("/api/workspaces/default/pipelines", """
                    name: elsewhere
                    steps:
                      - id: work
                        kind: command
                        labels: [remote]
                        run: |
                          echo "working in $AGENTRY_WORKDIR"
                          if [ ! -f %1$s ]; then touch %1$s; sleep 300; fi
                          echo "result=done" > "$AGENTRY_OUTPUTS"
                    """.formatted(mark), "application/yaml");
            assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
            long id = JSON.readTree(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"elsewhere\"}").body()).path("id").asLong();

            // Killed once the server has heard from the job (its output streamed back), not merely once it started:
            // a runner killed before it answered the dispatch is simply dispatched to again, with the same job id.
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(mark) && server.get(
                    "/api/workspaces/default/runs/" + id + "/logs?step=work").body().contains("working in"));
            runner.kill();
            runner = Runner.start(port, runnerWork, TOKEN); // a fresh runner that knows nothing of the job

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    JSON.readTree(server.get("/api/workspaces/default/runs/" + id).body()).path("status").asText()).isEqualTo("succeeded"));
            JsonNode attempts = JSON.readTree(server.get("/api/workspaces/default/runs/" + id + "/steps/work").body()).path("attempts");
            assertThat(attempts.size()).isEqualTo(2);
            assertThat(attempts.get(0).path("status").asText()).isEqualTo("lost");
            assertThat(attempts.get(1).path("status").asText()).isEqualTo("succeeded");
            JsonNode logs = JSON.readTree(server.get("/api/workspaces/default/runs/" + id + "/logs?step=work").body()).path("items");
            assertThat(logs.get(logs.size() - 1).path("log").asText()).as("it ran in the runner's work directory")
                    .contains("working in " + runnerWork.toAbsolutePath());
            JsonNode step = JSON.readTree(server.get("/api/workspaces/default/runs/" + id).body()).path("steps").get(0);
            assertThat(step.path("outputs").path("result").asText()).isEqualTo("done");
        } finally {
            runner.close();
        }
    }

    /** {@code agentry runner} as a real process of its own. */
    record Runner(Process process) implements AutoCloseable {
        static Runner start(int port, Path work, String token) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            var command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath, "dev.agentry.server.Main", "runner",
                    "--listen", "127.0.0.1:" + port, "--slots", "2", "--work", work.toString()));
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("AGENTRY_RUNNER_TOKEN", token);
            Process process = builder.start();
            var ready = new CompletableFuture<Void>();
            Thread.ofPlatform().daemon().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        System.out.println("[runner " + process.pid() + "] " + line);
                        if (line.contains("Agentry runner is ready")) {
                            ready.complete(null);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the runner was killed
                }
                ready.completeExceptionally(new IllegalStateException("the runner exited before it was ready"));
            });
            ready.get(30, TimeUnit.SECONDS);
            return new Runner(process);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }
}
