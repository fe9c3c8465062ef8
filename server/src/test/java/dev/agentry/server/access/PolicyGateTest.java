package dev.agentry.server.access;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import dev.agentry.server.work.GitFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace policy at the points where steps act: a push headed for main waits for a human (approve continues
 * the run, reject fails the step, and nothing is pushed before the answer), and a denied command never starts.
 */
class PolicyGateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static Path origin;
    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
        origin = GitFixture.origin(dir.resolve("shop.git"), "README.md", "# Shop\n");
        var registered = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"shop\", \"url\": \"" + origin + "\", \"baseBranch\": \"main\"}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        var policy = server.post("/api/workspaces/default/policy", """
                name: guardrails
                default: allow
                rules:
                  - name: no-forced-deletes
                    when: action.kind == "run-command" && action.command.contains("rm -rf")
                    decision: deny
                    reason: delete what you mean by name
                  - name: push-toward-main
                    when: action.kind == "git-push" && action.baseBranch == "main"
                    decision: needs-approval
                    reason: a person approves changes headed for main
                """, "application/yaml");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(201);
        var applied = server.post("/api/workspaces/default/pipelines", """
                name: change
                repository: shop
                inputs:
                  task: {default: Add a note}
                steps:
                  - id: edit
                    kind: command
                    run: echo "a note" > NOTE.md
                """, "application/yaml");
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode run(long id) throws Exception {
        return JSON.readTree(server.get("/api/workspaces/default/runs/" + id).body());
    }

    private static long start(String pipeline, String task) throws Exception {
        var r = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"" + pipeline + "\", \"inputs\": {\"task\": \"" + task + "\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("id").asLong();
    }

    private static JsonNode pendingDecision(long run) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> run(run).path("status").asText().equals("needs-you"));
        for (JsonNode d : JSON.readTree(server.get("/api/workspaces/default/decisions").body()).path("items")) {
            if (d.path("run").asLong() == run) {
                return d;
            }
        }
        throw new AssertionError("no pending decision for run " + run);
    }

    private static List<String> branches() {
        return List.of(git(origin, "branch", "--format=%(refname:short)").strip().split("\n"));
    }

    @Test
    void a_push_toward_main_waits_for_approval_and_approving_it_pushes() throws Exception {
        long id = start("change", "approved note");
        JsonNode decision = pendingDecision(id);
        assertThat(decision.path("prompt").asText()).contains("git-push").contains("policy v1, rule push-toward-main")
                .contains("a person approves changes headed for main");
        assertThat(branches()).as("nothing pushed while waiting").noneMatch(b -> b.startsWith("agentry/" + id + "-"));

        var approved = server.post("/api/workspaces/default/decisions/" + decision.path("id").asLong() + "/approve", "{\"comment\": \"go\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("succeeded"));
        String branch = run(id).at("/steps/0/outputs/branch").asText();
        assertThat(git(origin, "show", branch + ":NOTE.md")).isEqualTo("a note\n");
        assertThat(server.get("/api/workspaces/default/events/export?run=" + id).body())
                .as("the run records the policy version that let the push go").contains("policy v1, rule push-toward-main");
    }

    @Test
    void rejecting_the_push_fails_the_step_and_nothing_is_pushed() throws Exception {
        long id = start("change", "rejected note");
        JsonNode decision = pendingDecision(id);
        server.post("/api/workspaces/default/decisions/" + decision.path("id").asLong() + "/reject", "{\"comment\": \"not today\", \"by\": \"ops\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("failed"));
        assertThat(run(id).at("/steps/0/error").asText()).contains("rejected by ops").contains("not today");
        assertThat(branches()).noneMatch(b -> b.startsWith("agentry/" + id + "-"));
    }

    @Test
    void a_denied_command_never_starts() throws Exception {
        Path marker = dir.resolve("marker");
        var applied = server.post("/api/workspaces/default/pipelines", """
                name: cleanup
                steps:
                  - id: wipe
                    kind: command
                    run: touch %s && rm -rf /tmp/agentry-policy-test-nothing
                """.formatted(marker), "application/yaml");
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
        var started = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"cleanup\"}");
        long id = JSON.readTree(started.body()).path("id").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("failed"));
        assertThat(run(id).at("/steps/0/error").asText()).contains("denied by policy v1, rule no-forced-deletes")
                .contains("delete what you mean by name");
        assertThat(Files.exists(marker)).as("the command never ran").isFalse();
    }
}
