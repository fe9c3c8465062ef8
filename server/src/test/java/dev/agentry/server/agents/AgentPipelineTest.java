package dev.agentry.server.agents;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.core.agent.AgentKind;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.server.ModelsConfig;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import dev.agentry.server.work.GitFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent steps end to end on the embedded default: the built-in agent works in a real git repository through the
 * gateway against a local server speaking the Anthropic or OpenAI wire format, a command-line agent calls the
 * gateway with its run-scoped token, budgets pause and resume runs, and provider errors are retried or fail
 * clearly without double billing.
 */
class AgentPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ANTHROPIC_KEY = "sk-ant-real-provider-key-0001";
    static final String OPENAI_KEY = "sk-openai-real-provider-key-0002";
    static ScriptedModelServer model;
    static TestServer server;
    @TempDir static Path dir;

    /** A command-line agent: calls the gateway as any tool honouring ANTHROPIC_BASE_URL would, and reports what it saw. */
    static final String CURL_AGENT = """
            body='{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"say hi"}]}'
            ok=$(curl -s -o reply.json -w '%{http_code}' -H "x-api-key: $ANTHROPIC_API_KEY" -H 'anthropic-version: 2023-06-01' \\
                 -H 'content-type: application/json' -d "$body" "$ANTHROPIC_BASE_URL/v1/messages")
            wrong=$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: agt_not-a-real-token" \\
                 -H 'content-type: application/json' -d "$body" "$ANTHROPIC_BASE_URL/v1/messages")
            leaked=$(env | grep -c -e sk-ant-real -e sk-openai-real || true)
            { echo "ok=$ok"; echo "wrong=$wrong"; echo "leaked=$leaked"; echo "token=$ANTHROPIC_API_KEY";
              echo "reply=$(tr -d '\\n' < reply.json)"; } >> "$AGENTRY_OUTPUTS"
            """;

    @BeforeAll
    static void start() {
        model = ScriptedModelServer.start();
        var providers = Map.of(
                "anthropic", new ProviderEndpoint("anthropic", ProviderEndpoint.Api.ANTHROPIC, URI.create(model.anthropicBaseUrl()), ANTHROPIC_KEY),
                "openai", new ProviderEndpoint("openai", ProviderEndpoint.Api.OPENAI, URI.create(model.openAiBaseUrl()), OPENAI_KEY));
        var curlAgent = new AgentKind("curl-agent", "calls the gateway with curl", null, List.of(), List.of(), null, false,
                CURL_AGENT, null);
        server = new TestServer(ServerConfig.Work.DEFAULTS, new ModelsConfig(providers, "anthropic/claude-sonnet-4-5", null,
                List.of(curlAgent), Map.of()));
    }

    @org.junit.jupiter.api.AfterEach
    void nothingLeftForTheNextTest() {
        int left = model.clear();
        assertThat(left).as("scripted answers no call took").isZero();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static JsonNode run(long id) throws Exception {
        return json(server.get("/api/workspaces/default/runs/" + id).body());
    }

    private static long start(String pipeline, String inputs) throws Exception {
        var applied = server.post("/api/workspaces/default/pipelines", pipeline);
        assertThat(applied.statusCode()).as(applied.body()).isIn(200, 201);
        String name = json(applied.body()).path("name").asText();
        var started = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"" + name + "\", \"inputs\": " + inputs + "}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        return json(started.body()).path("id").asLong();
    }

    private static JsonNode finished(long id) throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> List.of("succeeded", "failed", "canceled").contains(run(id).path("status").asText()));
        return run(id);
    }

    private static JsonNode step(JsonNode run, String id) {
        for (JsonNode s : run.path("steps")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no step " + id + " in " + run);
    }

    private static void register(String name, Path origin) throws Exception {
        var registered = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"" + name + "\", \"url\": \"" + origin + "\", \"baseBranch\": \"main\"}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    }

    /** The model's side of fixing a typo: look, read, edit, test, finish. */
    private static void scriptTypoFix() {
        model.reply(
                Scripted.text("Let me look around.").andToolCall("list_files", "{}").usage(1200, 40, 0, 1000),
                Scripted.toolCall("read_file", "{\"path\": \"greet.txt\"}").usage(200, 30, 1200, 0),
                Scripted.toolCall("edit_file", "{\"path\": \"greet.txt\", \"old_text\": \"helo\", \"new_text\": \"hello\"}").usage(250, 40, 1400, 0),
                Scripted.toolCall("run_command", "{\"command\": \"sh test.sh\"}").usage(260, 30, 1650, 0),
                Scripted.toolCall("finish", "{\"answer\": \"Fixed the typo in greet.txt\", \"outputs\": {\"files\": \"greet.txt\"}}").usage(300, 50, 1900, 0));
    }

    private void theBuiltInAgentFixesATypo(String repo, String modelLine, String path, String keyHeader, String key) throws Exception {
        Path origin = GitFixture.origin(dir.resolve(repo + ".git"), "greet.txt", "helo world\n",
                "test.sh", "grep -q '^hello world$' greet.txt && echo PASS\n");
        register(repo, origin);
        int before = model.requestCount();
        scriptTypoFix();
        long id = start("""
                name: fix-%s
                repository: %s
                inputs:
                  task: {default: Fix the greeting}
                steps:
                  - id: code
                    kind: agent
                    agent: coder
                    %s
                    prompt: "{{ inputs.task }}: greet.txt says helo; it must say hello. Run sh test.sh."
                """.formatted(repo, repo, modelLine), "{}");
        JsonNode done = finished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        JsonNode outputs = step(done, "code").path("outputs");
        assertThat(outputs.path("answer").asText()).isEqualTo("Fixed the typo in greet.txt");
        assertThat(outputs.path("files").asText()).isEqualTo("greet.txt");

        // the change is committed on the run's branch and pushed to the repository
        String branch = outputs.path("branch").asText();
        assertThat(branch).startsWith("agentry/" + id + "-");
        assertThat(git(origin, "show", branch + ":greet.txt")).isEqualTo("hello world\n");

        // five model calls, all through the gateway to the provider with the real key; the agent never had it
        var calls = model.requests().subList(before, model.requestCount());
        assertThat(calls).hasSize(5).allSatisfy(r -> {
            assertThat(r.path()).isEqualTo(path);
            assertThat(r.header(keyHeader)).isEqualTo(keyHeader.equals("authorization") ? "Bearer " + key : key);
        });
        assertThat(calls.get(4).body()).as("the test's output went back to the model").contains("PASS");

        // metered: five calls, their tokens and cost, and the prompt cache's hit rate
        JsonNode spend = json(server.get("/api/workspaces/default/runs/" + id + "/spend").body());
        assertThat(spend.path("calls").asInt()).isEqualTo(5);
        assertThat(spend.path("usage").path("cacheReadTokens").asLong()).isEqualTo(1200 + 1400 + 1650 + 1900);
        assertThat(spend.path("costUsd").decimalValue()).isPositive();
        assertThat(spend.path("cacheHitRate").asDouble()).isBetween(0.5, 0.9);
        // each call stored only what it appended to the conversation, and the whole prompt can be rebuilt
        JsonNode items = spend.path("items");
        assertThat(items.get(4).path("storedItems").asInt()).isLessThan(items.get(4).path("promptItems").asInt());
        JsonNode rebuilt = json(server.get("/api/workspaces/default/runs/" + id + "/calls/" + items.get(4).path("id").asLong()
                + "/prompt").body());
        assertThat(withoutCacheHints(rebuilt.path("messages"))).isEqualTo(withoutCacheHints(calls.get(4).json().path("messages")));
    }

    /** The gateway adds a prompt-cache breakpoint to what it forwards; the stored prompt is what the agent sent. */
    private static JsonNode withoutCacheHints(JsonNode messages) {
        JsonNode copy = messages.deepCopy();
        for (JsonNode m : copy) {
            if (m.path("content").isArray()) {
                for (JsonNode block : m.path("content")) {
                    ((ObjectNode) block).remove("cache_control");
                }
            }
        }
        return copy;
    }

    @Test
    void the_built_in_agent_fixes_a_typo_in_a_real_repository_over_the_anthropic_wire_format() throws Exception {
        theBuiltInAgentFixesATypo("typo-anthropic", "", "/v1/messages", "x-api-key", ANTHROPIC_KEY);
    }

    @Test
    void the_built_in_agent_fixes_a_typo_in_a_real_repository_over_the_openai_wire_format() throws Exception {
        theBuiltInAgentFixesATypo("typo-openai", "model: openai/gpt-4.1", "/v1/chat/completions", "authorization", OPENAI_KEY);
    }

    @Test
    void a_command_line_agent_reaches_the_model_only_through_the_gateway_with_its_run_scoped_token() throws Exception {
        int before = model.requestCount();
        model.reply(Scripted.text("hi there").usage(12, 3, 0, 0));
        long id = start("""
                name: curl-agent
                steps:
                  - id: ask
                    kind: agent
                    agent: curl-agent
                    prompt: say hi
                """, "{}");
        JsonNode done = finished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        JsonNode outputs = step(done, "ask").path("outputs");
        assertThat(outputs.path("ok").asText()).isEqualTo("200");
        assertThat(outputs.path("reply").asText()).contains("hi there");
        assertThat(outputs.path("wrong").asText()).as("a wrong token is refused").isEqualTo("401");
        assertThat(outputs.path("leaked").asText()).as("no provider key in the agent's environment").isEqualTo("0");
        String token = outputs.path("token").asText();
        assertThat(token).startsWith("agt_").doesNotContain("sk-");

        // the provider saw one call, with its key, and never the run token
        assertThat(model.requestCount() - before).isEqualTo(1);
        assertThat(model.lastRequest().header("x-api-key")).isEqualTo(ANTHROPIC_KEY);
        assertThat(model.lastRequest().body() + model.lastRequest().headers()).doesNotContain(token);
        JsonNode spend = json(server.get("/api/workspaces/default/runs/" + id + "/spend").body());
        assertThat(spend.path("calls").asInt()).isEqualTo(1);
        assertThat(spend.path("usage").path("inputTokens").asLong()).isEqualTo(12);

        // the attempt is over: its token is refused from now on
        var late = server.send(HttpRequest.newBuilder(URI.create(server.url + "/gateway/anthropic/v1/messages"))
                .header("x-api-key", token).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));
        assertThat(late.statusCode()).isEqualTo(401);
        assertThat(model.requestCount() - before).isEqualTo(1);
    }

    @Test
    void a_spent_budget_pauses_the_run_before_its_next_model_call_and_a_raised_cap_resumes_it() throws Exception {
        int before = model.requestCount();
        // 1,000 input tokens of claude-sonnet-4-5 cost $0.003: more than what is left of the budget
        model.reply(Scripted.text("Design: one module.").usage(1000, 10, 0, 0), Scripted.text("Requirements are clear.").usage(1000, 10, 0, 0));
        var spentBefore = json(server.get("/api/accounts/default/budget").body()).path("spentUsd").decimalValue();
        assertThat(server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/accounts/default/budget"))
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"limitUsd\": " + spentBefore.add(new java.math.BigDecimal("0.002")) + "}")))
                .statusCode()).isEqualTo(200);
        try {
            long id = start("""
                    name: plan
                    steps:
                      - id: design
                        kind: agent
                        agent: architect
                        prompt: Design a greeter.
                      - id: review
                        kind: agent
                        agent: requirements-reviewer
                        needs: [design]
                        prompt: "Review: {{ steps.design.outputs.answer }}"
                    """, "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("paused"));
            Thread.sleep(1500); // nodes poll twice meanwhile: a paused run's next step must not reach the model
            assertThat(model.requestCount() - before).as("no model call while paused").isEqualTo(1);
            assertThat(run(id).path("status").asText()).isEqualTo("paused");
            assertThat(events(id)).contains("run.paused", "spend.recorded");
            assertThat(server.get("/api/workspaces/default/events/export?type=budget.warning").body()).contains("\"budget\": \"account\"");

            var raised = server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/accounts/default/budget"))
                    .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"limitUsd\": 100}")));
            assertThat(json(raised.body()).path("spentUsd").decimalValue().subtract(spentBefore)).isEqualByComparingTo("0.00315");
            JsonNode done = finished(id);
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
            assertThat(step(done, "review").path("outputs").path("answer").asText()).isEqualTo("Requirements are clear.");
            assertThat(model.requestCount() - before).isEqualTo(2);
            assertThat(events(id)).contains("run.resumed");
        } finally {
            server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/accounts/default/budget"))
                    .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"limitUsd\": null}")));
        }
    }

    @Test
    void a_rate_limited_call_is_retried_after_its_retry_after_and_billed_once() throws Exception {
        int before = model.requestCount();
        model.reply(Scripted.error(429).header("retry-after", "1"), Scripted.text("Fine.").usage(100, 5, 0, 0));
        long id = start("""
                name: retried
                steps:
                  - id: think
                    kind: agent
                    agent: architect
                    prompt: Anything.
                """, "{}");
        JsonNode done = finished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        var requests = model.requests().subList(before, model.requestCount());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).nanos() - requests.get(0).nanos()).isGreaterThan(Duration.ofMillis(900).toNanos());
        JsonNode spend = json(server.get("/api/workspaces/default/runs/" + id + "/spend").body());
        assertThat(spend.path("calls").asInt()).as("the refused call is not billed").isEqualTo(1);
    }

    @Test
    void a_provider_that_keeps_failing_or_answers_garbage_fails_the_step_clearly_and_bills_nothing() throws Exception {
        model.reply(Scripted.error(500), Scripted.error(500), Scripted.error(500));
        long failing = start("""
                name: broken-provider
                steps:
                  - id: think
                    kind: agent
                    agent: architect
                    prompt: Anything.
                """, "{}");
        JsonNode done = finished(failing);
        assertThat(done.path("status").asText()).isEqualTo("failed");
        assertThat(step(done, "think").path("error").asText()).contains("500").doesNotContain(ANTHROPIC_KEY);
        assertThat(json(server.get("/api/workspaces/default/runs/" + failing + "/spend").body()).path("calls").asInt()).isZero();

        model.reply(Scripted.malformed());
        long garbage = start("""
                name: garbage-provider
                steps:
                  - id: think
                    kind: agent
                    agent: architect
                    prompt: Anything.
                """, "{}");
        done = finished(garbage);
        assertThat(done.path("status").asText()).isEqualTo("failed");
        assertThat(step(done, "think").path("error").asText()).contains("not its API's reply");
    }

    @Test
    void an_agents_question_becomes_a_decision_and_the_answer_is_given_back_to_it() throws Exception {
        int before = model.requestCount();
        model.reply(Scripted.toolCall("ask_human", "{\"question\": \"Which language should the greeter use?\"}").usage(300, 20, 0, 0),
                Scripted.toolCall("finish", "{\"answer\": \"A greeter in Go\"}").usage(400, 20, 0, 0));
        long id = start("""
                name: asks
                steps:
                  - id: design
                    kind: agent
                    agent: architect
                    prompt: Design a greeter.
                """, "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        JsonNode decisions = json(server.get("/api/workspaces/default/decisions?status=pending").body());
        JsonNode question = null;
        for (JsonNode d : decisions.path("items")) {
            if (d.path("run").asLong() == id) {
                question = d;
            }
        }
        assertThat(question).as(decisions.toString()).isNotNull();
        assertThat(question.path("prompt").asText()).isEqualTo("Which language should the greeter use?");
        var answered = server.post("/api/workspaces/default/decisions/" + question.path("id").asLong() + "/answer",
                "{\"answer\": \"Go, please\", \"by\": \"ada\"}");
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);

        JsonNode done = finished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(step(done, "design").path("outputs").path("answer").asText()).isEqualTo("A greeter in Go");
        var requests = model.requests().subList(before, model.requestCount());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).body()).as("the answer comes back as the question's result").contains("Go, please");

        var empty = server.post("/api/workspaces/default/decisions/" + question.path("id").asLong() + "/answer", "{\"answer\": \" \"}");
        assertThat(empty.statusCode()).isEqualTo(400);
    }

    @Test
    void prompt_fragments_join_the_agents_instructions_at_the_version_the_run_pinned() throws Exception {
        var saved = server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/workspaces/default/fragments/house-style"))
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"text\": \"Use tabs, version one.\"}")));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        int before = model.requestCount();
        model.reply(Scripted.text("first").usage(10, 1, 0, 0), Scripted.text("second").usage(10, 1, 0, 0));
        long id = start("""
                name: styled
                fragments: [house-style]
                steps:
                  - id: one
                    kind: agent
                    agent: architect
                    fragments: [small-changes]
                    prompt: Design.
                  - id: hold
                    kind: approval
                    needs: [one]
                  - id: two
                    kind: agent
                    agent: architect
                    needs: [hold]
                    prompt: Design again.
                """, "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        // the fragment changes while the run is under way: the run keeps the version it started with
        server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/workspaces/default/fragments/house-style"))
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"text\": \"Use spaces, version two.\"}")));
        long decision = json(server.get("/api/workspaces/default/decisions").body()).path("items").findValues("id").stream()
                .map(JsonNode::asLong).max(Long::compare).orElseThrow();
        server.post("/api/workspaces/default/decisions/" + decision + "/approve", "{}");
        assertThat(finished(id).path("status").asText()).isEqualTo("succeeded");

        var requests = model.requests().subList(before, model.requestCount());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).json().path("system").toString()).contains("Use tabs, version one.").contains("Keep changes small");
        assertThat(requests.get(1).json().path("system").toString()).contains("Use tabs, version one.").doesNotContain("version two");
        JsonNode pins = json(server.get("/api/workspaces/default/runs/" + id + "/fragments").body());
        assertThat(pins.path("items").findValuesAsText("name")).containsExactlyInAnyOrder("house-style", "small-changes");
        JsonNode latest = json(server.get("/api/workspaces/default/fragments/house-style").body());
        assertThat(latest.path("version").asInt()).isEqualTo(2);
        assertThat(json(server.get("/api/workspaces/default/fragments/house-style?version=1").body()).path("text").asText())
                .isEqualTo("Use tabs, version one.");
    }

    @Test
    void a_run_naming_a_fragment_no_scope_has_fails_its_agent_step_with_the_name() throws Exception {
        long id = start("""
                name: missing-fragment
                steps:
                  - id: one
                    kind: agent
                    agent: architect
                    fragments: [no-such-guideline]
                    prompt: Design.
                """, "{}");
        JsonNode done = finished(id);
        assertThat(done.path("status").asText()).isEqualTo("failed");
        assertThat(step(done, "one").path("error").asText()).contains("prompt fragment 'no-such-guideline' does not exist");
    }

    @Test
    void the_workspace_policy_refuses_a_model_call_and_an_agents_command_before_they_happen() throws Exception {
        var policy = server.post("/api/workspaces/default/policy", """
                name: agents
                default: allow
                rules:
                  - name: no-opus
                    when: action.kind == "spend-call" && action.model.startsWith("claude-opus")
                    decision: deny
                    reason: too expensive here
                  - name: no-scripts
                    when: action.kind == "run-command" && action.command.startsWith("sh ")
                    decision: deny
                    reason: agents do not run scripts here
                """, "application/yaml");
        assertThat(policy.statusCode()).as(policy.body()).isIn(200, 201);
        try {
            int before = model.requestCount();
            long expensive = start("""
                    name: expensive
                    steps:
                      - id: think
                        kind: agent
                        agent: architect
                        model: claude-opus-4-5
                        prompt: Think hard.
                    """, "{}");
            JsonNode done = finished(expensive);
            assertThat(done.path("status").asText()).isEqualTo("failed");
            assertThat(step(done, "think").path("error").asText()).contains("denied by policy").contains("no-opus");
            assertThat(model.requestCount()).as("the call never left").isEqualTo(before);

            Path origin = GitFixture.origin(dir.resolve("scripts.git"), "test.sh", "echo PASS\n");
            register("scripts", origin);
            model.reply(Scripted.toolCall("run_command", "{\"command\": \"sh test.sh\"}").usage(10, 1, 0, 0),
                    Scripted.toolCall("finish", "{\"answer\": \"could not run it\"}").usage(10, 1, 0, 0));
            long scripted = start("""
                    name: scripted
                    repository: scripts
                    steps:
                      - id: code
                        kind: agent
                        agent: coder
                        prompt: Run the tests.
                    """, "{}");
            assertThat(finished(scripted).path("status").asText()).isEqualTo("succeeded");
            var calls = model.requests().subList(model.requestCount() - 2, model.requestCount());
            assertThat(calls.get(1).body()).as("the tool result tells the agent").contains("denied by policy").contains("no-scripts")
                    .doesNotContain("PASS");
        } finally {
            server.post("/api/workspaces/default/policy", "name: agents\ndefault: allow\nrules: []\n", "application/yaml");
        }
    }

    @Test
    void an_agent_step_naming_an_unknown_kind_is_refused_with_the_field_named() throws Exception {
        var applied = server.post("/api/workspaces/default/pipelines", """
                name: unknown-kind
                steps:
                  - id: x
                    kind: agent
                    agent: wizard
                    prompt: hi
                """);
        assertThat(applied.statusCode()).isEqualTo(422);
        assertThat(json(applied.body()).path("field").asText()).isEqualTo("steps[0].agent");
        assertThat(applied.body()).contains("unknown agent kind 'wizard'").contains("coder");
    }

    private static String events(long run) {
        return server.get("/api/workspaces/default/events/export?run=" + run).body();
    }
}
