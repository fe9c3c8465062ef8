package dev.agentry.server.work;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline working on a real git repository, end to end on the embedded default: the step commits on the
 * run's branch, the harness pushes, open-pr opens a pull request on the local forge, the CI gate waits for
 * the checks an outside CI reports, and merge lands the change on the base branch.
 */
class RepositoryPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static JsonNode run(long id) throws Exception {
        return json(server.get("/api/workspaces/default/runs/" + id).body());
    }

    @Test
    void a_change_is_committed_on_the_runs_branch_opened_as_a_pull_request_and_merged_when_ci_passes() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("shop.git"), "README.md", "# Shop\n");
        var registered = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"shop\", \"url\": \"" + origin + "\", \"baseBranch\": \"main\"}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        assertThat(json(registered.body()).path("forge").asText()).isEqualTo("local");

        var applied = server.post("/api/workspaces/default/pipelines", """
                name: greet
                repository: shop
                inputs:
                  task: {default: Add a greeting}
                steps:
                  - id: edit
                    kind: command
                    run: |
                      echo hello > greeting.txt
                      git add greeting.txt
                      git commit -q -m "Add greeting"
                  - id: notes
                    kind: command
                    needs: [edit]
                    run: echo "left for the harness to commit" > NOTES.md
                  - id: open
                    kind: open-pr
                    needs: [notes]
                    title: "{{ inputs.task }}"
                  - id: hold
                    kind: approval
                    needs: [open]
                    prompt: CI has started?
                  - id: ci
                    kind: gate
                    gate: ci
                    needs: [hold]
                    poll: 200ms
                  - id: land
                    kind: merge
                    needs: [ci]
                """, "application/yaml");
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(201);
        var started = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"greet\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        long id = json(started.body()).path("id").asLong();
        String branch = json(started.body()).path("branch").asText();
        assertThat(branch).isEqualTo("agentry/" + id + "-add-a-greeting");

        // CI reports on the pull request's head: pending first, then passed; the gate waits, then lets the merge go.
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        JsonNode pr = firstPullRequest("shop");
        assertThat(pr.path("state").asText()).isEqualTo("open");
        assertThat(pr.path("head").asText()).isEqualTo(branch);
        assertThat(pr.path("title").asText()).isEqualTo("Add a greeting");
        assertThat(pr.path("diff").asText()).contains("+hello").contains("NOTES.md");
        String head = pr.path("headCommit").asText();
        assertThat(reportCheck("shop", head, "build", "pending").statusCode()).isEqualTo(201);
        approveTheDecision();
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("steps").get(4).path("attempts").asInt() >= 2);
        assertThat(run(id).path("status").asText()).as("waiting on CI").isEqualTo("running");
        reportCheck("shop", head, "build", "passed");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(run(id).path("status").asText()).as(run(id).toString()).isEqualTo("succeeded"));
        assertThat(git(origin, "show", "main:greeting.txt").strip()).isEqualTo("hello");
        assertThat(git(origin, "show", "main:NOTES.md")).contains("left for the harness");
        assertThat(git(origin, "log", "--format=%s", "main")).contains("Add greeting");
        assertThat(firstPullRequest("shop").path("state").asText())
                .isEqualTo("merged");
        JsonNode ci = run(id).path("steps").get(4);
        assertThat(ci.path("attempts").asInt()).as("the gate checked more than once").isGreaterThan(1);
    }

    @Test
    void a_merge_is_refused_while_the_checks_are_red() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("red.git"), "app.txt", "v1\n");
        server.post("/api/workspaces/default/repositories", "{\"name\": \"red\", \"url\": \"" + origin + "\"}");
        server.post("/api/workspaces/default/pipelines", """
                name: red-ci
                steps:
                  - {id: edit, kind: command, run: "echo v2 > app.txt"}
                  - {id: open, kind: open-pr, needs: [edit]}
                  - {id: hold, kind: approval, needs: [open]}
                  - {id: land, kind: merge, needs: [hold]}
                """, "application/yaml");
        long id = json(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"red-ci\", \"repository\": \"red\"}").body())
                .path("id").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        String head = firstPullRequest("red").path("headCommit").asText();
        reportCheck("red", head, "tests", "failed");
        approveTheDecision();

        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("failed"));
        assertThat(run(id).path("error").asText()).contains("refusing to merge").contains("tests failed");
        assertThat(git(origin, "show", "main:app.txt").strip()).as("base untouched").isEqualTo("v1");
    }

    private static JsonNode firstPullRequest(String repository) throws Exception {
        return json(server.get("/api/workspaces/default/repositories/" + repository + "/pulls/1").body());
    }

    /** What an outside CI does: reports the state of one of its checks on a commit. */
    private static java.net.http.HttpResponse<String> reportCheck(String repository, String commit, String name, String state) {
        return server.post("/api/workspaces/default/repositories/" + repository + "/checks",
                "{\"commit\": \"" + commit + "\", \"name\": \"" + name + "\", \"state\": \"" + state + "\"}");
    }

    private static void approveTheDecision() throws Exception {
        long decision = json(server.get("/api/workspaces/default/decisions").body()).path("items").get(0).path("id").asLong();
        assertThat(server.post("/api/workspaces/default/decisions/" + decision + "/approve", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void a_red_ci_gate_runs_its_fixer_on_the_branch_and_waits_for_the_new_head_to_pass() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("fixme.git"), "app.txt", "v1\n");
        server.post("/api/workspaces/default/repositories", "{\"name\": \"fixme\", \"url\": \"" + origin + "\"}");
        server.post("/api/workspaces/default/pipelines", """
                name: fix-ci
                repository: fixme
                steps:
                  - {id: edit, kind: command, run: "echo broken > app.txt"}
                  - {id: open, kind: open-pr, needs: [edit]}
                  - {id: hold, kind: approval, needs: [open]}
                  - id: ci
                    kind: gate
                    gate: ci
                    needs: [hold]
                    poll: 200ms
                    fixer: {run: "echo fixed > app.txt"}
                  - {id: land, kind: merge, needs: [ci]}
                """, "application/yaml");
        long id = json(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"fix-ci\"}").body()).path("id").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        String broken = firstPullRequest("fixme").path("headCommit").asText();
        reportCheck("fixme", broken, "tests", "failed");
        approveTheDecision();

        // The fixer commits on the run's branch and the harness pushes: the pull request's head moves on.
        await().atMost(Duration.ofSeconds(30)).until(() -> !firstPullRequest("fixme").path("headCommit").asText().equals(broken));
        String fixed = firstPullRequest("fixme").path("headCommit").asText();
        reportCheck("fixme", fixed, "tests", "passed");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(run(id).path("status").asText()).as(run(id).toString()).isEqualTo("succeeded"));
        assertThat(git(origin, "show", "main:app.txt").strip()).isEqualTo("fixed");
        assertThat(run(id).path("steps").get(3).path("outputs").path("fixes").asText()).isEqualTo("1");
    }

    @Test
    void parallel_steps_of_a_run_take_turns_on_its_branch_and_both_commits_land() throws Exception {
        Path origin = GitFixture.origin(dir.resolve("fan.git"), "README.md", "fan\n");
        server.post("/api/workspaces/default/repositories", "{\"name\": \"fan\", \"url\": \"" + origin + "\"}");
        server.post("/api/workspaces/default/pipelines", """
                name: fan-out
                repository: fan
                steps:
                  - {id: a, kind: command, run: "echo a > a.txt && git add a.txt && git commit -q -m A && sleep 1"}
                  - {id: b, kind: command, run: "echo b > b.txt && git add b.txt && git commit -q -m B && sleep 1"}
                """, "application/yaml");
        long id = json(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"fan-out\"}").body()).path("id").asLong();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(run(id).path("status").asText()).as(run(id).toString()).isEqualTo("succeeded"));
        String branch = run(id).path("branch").asText();
        assertThat(git(origin, "log", "--format=%s", branch).lines().toList()).containsExactlyInAnyOrder("A", "B", "Initial commit");
        int waits = 0;
        for (String step : new String[] {"a", "b"}) {
            for (JsonNode attempt : json(server.get("/api/workspaces/default/runs/" + id + "/steps/" + step).body()).path("attempts")) {
                waits += attempt.path("status").asText().equals("continued") ? 1 : 0;
            }
        }
        assertThat(waits).as("one of them waited for the branch").isGreaterThan(0);
    }

    @Test
    void a_run_of_a_pipeline_that_opens_pull_requests_needs_a_registered_repository() throws Exception {
        server.post("/api/workspaces/default/pipelines", """
                name: needs-repo
                steps:
                  - {id: open, kind: open-pr}
                """, "application/yaml");
        var none = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"needs-repo\"}");
        assertThat(none.statusCode()).isEqualTo(422);
        assertThat(json(none.body()).path("field").asText()).isEqualTo("repository");
        var unknown = server.post("/api/workspaces/default/runs", "{\"pipeline\": \"needs-repo\", \"repository\": \"nope\"}");
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(json(unknown.body()).path("detail").asText()).contains("no repository 'nope'");
    }

    @Test
    void registering_a_repository_checks_it_can_be_reached_and_refuses_credentials_in_the_url() throws Exception {
        var missing = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"ghost\", \"url\": \"" + dir.resolve("ghost.git") + "\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing.body()).path("field").asText()).isEqualTo("url");

        Path origin = GitFixture.origin(dir.resolve("branchless.git"), "a", "b");
        var noBranch = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"branchless\", \"url\": \"" + origin + "\", \"baseBranch\": \"develop\"}");
        assertThat(noBranch.statusCode()).isEqualTo(422);
        assertThat(json(noBranch.body()).path("field").asText()).isEqualTo("baseBranch");

        var inline = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"leaky\", \"url\": \"https://user:ghp_secret@github.com/o/r.git\"}");
        assertThat(inline.statusCode()).isEqualTo(400);
        assertThat(inline.body()).doesNotContain("ghp_secret").contains("secret");

        var unknownSecret = server.post("/api/workspaces/default/repositories",
                "{\"name\": \"x\", \"url\": \"" + origin + "\", \"credential\": \"git-token\"}");
        assertThat(unknownSecret.statusCode()).isEqualTo(422);
        assertThat(json(unknownSecret.body()).path("detail").asText()).contains("agentry secrets set git-token");
    }
}
