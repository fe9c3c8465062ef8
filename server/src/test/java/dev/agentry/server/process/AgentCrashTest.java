package dev.agentry.server.process;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.server.work.GitFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed with SIGKILL while its built-in agent waits for the model: after a restart the agent resumes
 * its conversation from the last checkpointed turn, with the files it had written, instead of starting over.
 */
class AgentCrashTest {
    @TempDir Path dir;

    @Test
    void an_agent_interrupted_by_sigkill_resumes_from_its_last_checkpointed_turn() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("origin.git"), "README.md", "# Project\n");
        try (var model = ScriptedModelServer.start()) {
            model.reply(
                    Scripted.toolCall("list_files", "{}").usage(500, 20, 0, 0),
                    Scripted.toolCall("write_file", "{\"path\": \"NOTES.md\", \"content\": \"written before the crash\\n\"}").usage(600, 30, 0, 0),
                    // the server dies while this reply is on its way
                    Scripted.toolCall("finish", "{\"answer\": \"never delivered\"}").delay(Duration.ofSeconds(20)),
                    Scripted.toolCall("finish", "{\"answer\": \"resumed and finished\"}").usage(700, 20, 0, 0));
            var env = Map.of("ANTHROPIC_API_KEY", "sk-ant-test-key", "ANTHROPIC_BASE_URL", model.anthropicBaseUrl());
            Path home = dir.resolve("home");
            var server = ServerProcess.start(home, "first", env);
            long run;
            try {
                server.post("/repositories", "{\"name\": \"project\", \"url\": \"" + origin + "\"}", "application/json", 201);
                server.post("/pipelines", """
                        name: notes
                        repository: project
                        steps:
                          - id: write
                            kind: agent
                            agent: coder
                            prompt: Write NOTES.md.
                        """, "application/yaml", 201);
                run = server.post("/runs", "{\"pipeline\": \"notes\"}", "application/json", 201).path("id").asLong();
                await().atMost(Duration.ofSeconds(60)).until(() -> model.requestCount() == 3);
                server.kill();
            } finally {
                server.close();
            }

            server = ServerProcess.start(home, "second", env);
            try {
                final var restarted = server;
                await().atMost(Duration.ofSeconds(90)).until(() -> restarted.get("/runs/" + run).path("status").asText().equals("succeeded"));
                var step = server.get("/runs/" + run).path("steps").get(0);
                assertThat(step.path("outputs").path("answer").asText()).isEqualTo("resumed and finished");

                var requests = model.requests();
                assertThat(requests).hasSize(4);
                // the resumed call carries the whole conversation so far: the same prompt as the interrupted one
                assertThat(requests.get(3).json().path("messages").size()).isEqualTo(requests.get(2).json().path("messages").size());
                assertThat(requests.get(3).json().at("/messages/0/content/0/text").asText()).isEqualTo("Write NOTES.md.");
                assertThat(requests.get(3).body()).contains("list_files", "write_file");
                assertThat(requests.stream().filter(r -> r.json().path("messages").size() == 1)).as("started over").hasSize(1);
                // and the file written before the crash was restored from the checkpoint, then committed
                assertThat(git(origin, "show", step.path("outputs").path("branch").asText() + ":NOTES.md"))
                        .isEqualTo("written before the crash\n");
            } finally {
                server.close();
            }
        }
    }
}
