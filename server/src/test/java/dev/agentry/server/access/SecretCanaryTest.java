package dev.agentry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.core.agent.AgentKind;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.ModelsConfig;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A canary secret used by a step that prints it and writes it to its outputs, by a step that fails with it in
 * its output, and by a command-line agent that puts it in a prompt: it appears nowhere — not in logs, events,
 * step outputs, errors, stored prompts, what the provider received, nor anywhere in the database in clear.
 */
class SecretCanaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANARY = "canary-S3CRET-7f3a9c2e51";

    /** A command-line agent that sends the secret to the model as part of its prompt. */
    private static final String LEAKY_AGENT = """
            body=$(printf '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"use %s please"}]}' "{{ secrets.canary }}")
            code=$(curl -s -o reply.json -w '%{http_code}' -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' \\
                 -d "$body" "$ANTHROPIC_BASE_URL/v1/messages")
            echo "status=$code" >> "$AGENTRY_OUTPUTS"
            echo "I was told {{ secrets.canary }}"
            """;

    @Test
    void a_canary_secret_appears_nowhere_in_clear() throws Exception {
        String url = TestDatabase.freshUrl();
        try (var model = ScriptedModelServer.start()) {
            model.reply(Scripted.text("ok").usage(10, 1, 0, 0));
            var providers = Map.of("anthropic", new ProviderEndpoint("anthropic", ProviderEndpoint.Api.ANTHROPIC,
                    URI.create(model.anthropicBaseUrl()), "sk-ant-provider-key"));
            var leaky = new AgentKind("leaky", "puts a secret in a prompt", null, List.of(), List.of(), null, false, LEAKY_AGENT, null);
            try (var server = new TestServer(TestServer.EVENTS, url, ServerConfig.Work.DEFAULTS,
                    new ModelsConfig(providers, "anthropic/claude-sonnet-4-5", null, List.of(leaky), Map.of()))) {
                var stored = server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/workspaces/default/secrets/canary"))
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"" + CANARY + "\"}")));
                assertThat(stored.statusCode()).as(stored.body()).isIn(200, 201);
                assertThat(stored.body()).doesNotContain(CANARY);

                var applied = server.post("/api/workspaces/default/pipelines", """
                        name: canary
                        steps:
                          - id: prints
                            kind: command
                            run: |
                              echo "the token is {{ secrets.canary }}"
                              echo "token={{ secrets.canary }}" >> "$AGENTRY_OUTPUTS"
                          - id: agent
                            kind: agent
                            agent: leaky
                            needs: [prints]
                            prompt: Use the token.
                          - id: fails
                            kind: command
                            needs: [agent]
                            env:
                              TOKEN: "{{ secrets.canary }}"
                            run: |
                              echo "about to fail with $TOKEN" >&2
                              exit 3
                        """);
                assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
                long run = JSON.readTree(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"canary\"}").body()).path("id").asLong();
                await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(server.get("/api/workspaces/default/runs/" + run).body())
                        .path("status").asText().equals("failed"));

                JsonNode done = JSON.readTree(server.get("/api/workspaces/default/runs/" + run).body());
                var seen = new ArrayList<String>();
                seen.add(done.toString());
                seen.add(server.get("/api/workspaces/default/runs/" + run + "/logs").body());
                seen.add(server.get("/api/workspaces/default/events/export").body());
                JsonNode spend = JSON.readTree(server.get("/api/workspaces/default/runs/" + run + "/spend").body());
                assertThat(spend.path("calls").asInt()).as("the agent reached the model").isEqualTo(1);
                seen.add(server.get("/api/workspaces/default/runs/" + run + "/calls/" + spend.at("/items/0/id").asLong() + "/prompt").body());
                seen.add(model.lastRequest().body());

                // the secret was really used: the commands saw it (they printed it, redacted), the agent's call went through
                String logs = seen.get(1);
                assertThat(logs).contains("the token is ***").contains("about to fail with ***").contains("I was told ***");
                assertThat(done.toString()).contains("token").contains("\"status\":\"200\"");
                assertThat(model.lastRequest().body()).contains("use *** please");
                for (String text : seen) {
                    assertThat(text).doesNotContain(CANARY);
                }
                try (var db = Database.open(url, 2)) {
                    assertThat(everyRowAsText(db)).as("the database in clear").doesNotContain(CANARY).contains("canary");
                }
            }
        }
    }

    /** Every row of every table of the schema, as text. */
    private static String everyRowAsText(Database db) {
        return db.read(c -> {
            var tables = new ArrayList<String>();
            try (var rs = c.createStatement().executeQuery(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            var text = new StringBuilder();
            for (String table : tables) {
                try (var rs = c.createStatement().executeQuery("SELECT t::text FROM \"" + table + "\" t")) {
                    while (rs.next()) {
                        text.append(rs.getString(1)).append('\n');
                    }
                }
            }
            return text.toString();
        });
    }
}
