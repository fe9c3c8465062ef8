package dev.agentry.server.process;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.server.work.GitFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step on a repository whose server is killed mid-step is retried on the same branch, from what was pushed. */
class BranchResumeTest {
    @TempDir Path dir;

    @Test
    void a_step_retried_after_its_server_was_killed_resumes_on_the_runs_branch_with_the_earlier_commits() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("origin.git"), "README.md", "# Project\n");
        Path mark = dir.resolve("second-started");
        Path home = dir.resolve("home");
        var server = ServerProcess.start(home, "first", Map.of());
        long run;
        try {
            server.post("/repositories", "{\"name\": \"project\", \"url\": \"" + origin + "\"}", "application/json", 201);
            server.post("/pipelines", """
                    name: two-commits
                    repository: project
                    steps:
                      - id: first
                        kind: command
                        run: echo a > a.txt && git add a.txt && git commit -q -m "Commit A"
                      - id: second
                        kind: command
                        needs: [first]
                        run: |
                          test -f a.txt || { echo "a.txt is missing: not on the run's branch"; exit 3; }
                          echo b > b.txt && git add b.txt && git commit -q -m "Commit B"
                          if [ ! -f %1$s ]; then touch %1$s; sleep 300; fi
                    """.formatted(mark), "application/yaml", 201);
            run = server.post("/runs", "{\"pipeline\": \"two-commits\"}", "application/json", 201).path("id").asLong();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(mark));
        } finally {
            server.kill();
        }
        server = ServerProcess.start(home, "second", Map.of());
        try {
            final var restarted = server;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(restarted.get("/runs/" + run).path("status").asText()).isEqualTo("succeeded"));
            String branch = server.get("/runs/" + run).path("branch").asText();
            assertThat(git(origin, "log", "--format=%s", branch).lines().toList())
                    .as("both commits on the run's branch, B once: the killed attempt's commit was never pushed")
                    .containsExactly("Commit B", "Commit A", "Initial commit");
            var second = server.get("/runs/" + run + "/steps/second");
            assertThat(second.path("attempts").size()).isEqualTo(2);
            assertThat(second.path("attempts").get(0).path("status").asText()).isEqualTo("expired");
            assertThat(second.path("attempts").get(1).path("status").asText()).isEqualTo("succeeded");
        } finally {
            server.close();
        }
    }
}
