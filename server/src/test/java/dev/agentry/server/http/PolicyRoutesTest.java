package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.engine.NotFound;
import dev.agentry.policy.CelPolicyEngine;
import dev.agentry.policy.Policies;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresPolicyStore;
import dev.agentry.postgres.TestDatabase;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The policy routes alone on a real server, over the PostgreSQL store on an embedded database; each test works
 * in a workspace of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyRoutesTest {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Database db;
    Javalin app;
    String base;
    int workspaces;

    @BeforeAll
    void start() {
        db = TestDatabase.fresh();
        var store = new PostgresPolicyStore(db, Clock.systemUTC());
        var routes = new PolicyRoutes(new Policies(store, new CelPolicyEngine(store, Clock.systemUTC(), Duration.ofSeconds(2))));
        app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
            // as HttpApi answers them
            config.routes.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
            config.routes.exception(NotFound.class, (e, ctx) -> HttpApi.problem(ctx, ApiProblem.notFound(e.field(), e.getMessage())));
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterAll
    void stop() {
        app.stop();
        db.close();
    }

    /** A new workspace, made with plain SQL (the workspace store is not under test). */
    String workspace() {
        String name = "policy" + (++workspaces);
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO workspace (name) VALUES (?)")) {
                ps.setString(1, name);
                return ps.executeUpdate();
            }
        });
        return "/api/workspaces/" + name;
    }

    HttpResponse<String> send(String method, String path, String body, String type) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return ApiJson.MAPPER.readTree(response.body());
    }

    static String example() throws Exception {
        return Files.readString(Path.of("../examples/policies/guardrails.yaml"));
    }

    @Test
    void applying_a_policy_creates_version_one_and_applying_it_again_changes_nothing() throws Exception {
        String ws = workspace();

        var created = json(send("POST", ws + "/policy", example(), "application/yaml"), 201);
        var again = json(send("POST", ws + "/policy", example(), "application/yaml"), 200);

        assertThat(created.get("name").asText()).isEqualTo("guardrails");
        assertThat(created.get("version").asInt()).isEqualTo(1);
        assertThat(created.get("created").asBoolean()).isTrue();
        assertThat(created.get("default").asText()).isEqualTo("allow");
        assertThat(created.get("digest").asText()).hasSize(64);
        assertThat(created.get("rules")).extracting(r -> r.get("name").asText())
                .startsWith("no-forced-recursive-deletes", "push-to-main");
        assertThat(created.at("/rules/1/decision").asText()).isEqualTo("needs-approval");
        assertThat(created.has("source")).isFalse();
        assertThat(again.get("version").asInt()).isEqualTo(1);
        assertThat(again.get("created").asBoolean()).isFalse();
    }

    @Test
    void a_json_policy_is_applied_too_and_versions_are_listed_newest_first() throws Exception {
        String ws = workspace();
        json(send("POST", ws + "/policy", "{\"name\": \"p\", \"default\": \"allow\"}", "application/json"), 201);
        json(send("POST", ws + "/policy", "{\"name\": \"p\", \"default\": \"deny\"}", "application/json"), 201);

        var list = json(send("GET", ws + "/policy/versions", null, null), 200);
        var latest = json(send("GET", ws + "/policy", null, null), 200);
        var first = json(send("GET", ws + "/policy/versions/1", null, null), 200);

        assertThat(list.get("items")).extracting(v -> v.get("version").asInt()).containsExactly(2, 1);
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("default").asText()).isEqualTo("deny");
        assertThat(latest.get("source").asText()).isEqualTo("{\"name\": \"p\", \"default\": \"deny\"}");
        assertThat(first.get("default").asText()).isEqualTo("allow");
    }

    @Test
    void an_invalid_policy_is_a_422_with_every_problem_and_stores_nothing() throws Exception {
        String ws = workspace();

        var refused = json(send("POST", ws + "/policy", """
                name: p
                default: allow
                rules:
                  - {name: r, when: 'action.kind == ', decision: deny}
                  - {name: s, when: 'true', decision: maybe}
                """, "application/yaml"), 422);

        assertThat(refused.get("type").asText()).isEqualTo("urn:agentry:problem:invalid-policy");
        assertThat(refused.get("field").asText()).isEqualTo("rules[0].when");
        assertThat(refused.get("problems")).extracting(p -> p.get("field").asText()).containsExactly("rules[0].when", "rules[1].decision");
        assertThat(refused.at("/problems/0/message").asText()).contains("at line 1, column ");
        assertThat(json(send("GET", ws + "/policy/versions", null, null), 200).get("items")).isEmpty();
    }

    @Test
    void a_workspace_without_a_policy_has_none_to_show_and_allows_every_action() throws Exception {
        String ws = workspace();

        var none = json(send("GET", ws + "/policy", null, null), 404);
        var decision = json(send("POST", ws + "/policy/evaluate", "{\"kind\": \"run-command\", \"command\": \"rm -rf /\"}", null), 200);

        assertThat(none.get("type").asText()).isEqualTo("urn:agentry:problem:not-found");
        assertThat(decision.get("verdict").asText()).isEqualTo("allow");
        assertThat(decision.get("rule").asText()).isEqualTo("no-policy");
        assertThat(decision.get("policyVersion").asInt()).isZero();
    }

    @Test
    void evaluating_an_action_answers_what_the_latest_policy_decides_and_which_version_decided() throws Exception {
        String ws = workspace();
        json(send("POST", ws + "/policy", example(), "application/yaml"), 201);

        var toMain = json(send("POST", ws + "/policy/evaluate",
                "{\"kind\": \"git-push\", \"repository\": \"acme\", \"branch\": \"main\"}", null), 200);
        var feature = json(send("POST", ws + "/policy/evaluate",
                "{\"kind\": \"git-push\", \"repository\": \"acme\", \"branch\": \"fix\", \"baseBranch\": \"develop\","
                        + " \"run\": {\"id\": 12, \"step\": \"push\", \"agent\": \"coder\"}}", null), 200);

        assertThat(toMain.get("verdict").asText()).isEqualTo("needs-approval");
        assertThat(toMain.get("rule").asText()).isEqualTo("push-to-main");
        assertThat(toMain.get("policyVersion").asInt()).isEqualTo(1);
        assertThat(toMain.at("/action/kind").asText()).isEqualTo("git-push");
        assertThat(feature.get("verdict").asText()).isEqualTo("allow");
        assertThat(feature.get("rule").asText()).isEqualTo("default");
        assertThat(feature.at("/run/id").asLong()).isEqualTo(12);
        assertThat(feature.at("/run/agent").asText()).isEqualTo("coder");
    }

    @Test
    void an_older_version_can_be_tried_by_number() throws Exception {
        String ws = workspace();
        json(send("POST", ws + "/policy", "name: p\ndefault: deny\n", "application/yaml"), 201);
        json(send("POST", ws + "/policy", "name: p\ndefault: allow\n", "application/yaml"), 201);
        String spend = "{\"kind\": \"spend-run\", \"runSpentUsd\": 2.5}";

        var latest = json(send("POST", ws + "/policy/evaluate", spend, null), 200);
        var first = json(send("POST", ws + "/policy/evaluate?version=1", spend, null), 200);
        var missing = json(send("POST", ws + "/policy/evaluate?version=3", spend, null), 404);

        assertThat(latest.get("verdict").asText()).isEqualTo("allow");
        assertThat(first.get("verdict").asText()).isEqualTo("deny");
        assertThat(first.get("policyVersion").asInt()).isEqualTo(1);
        assertThat(missing.get("detail").asText()).isEqualTo("the policy has no version 3; its latest is 2");
    }

    @Test
    void an_action_that_is_not_valid_is_a_400_naming_each_attribute() throws Exception {
        String ws = workspace();

        var unknownKind = json(send("POST", ws + "/policy/evaluate", "{\"kind\": \"git-pull\"}", null), 400);
        var badAttributes = json(send("POST", ws + "/policy/evaluate",
                "{\"kind\": \"spend-call\", \"model\": 3, \"estimatedUsd\": \"lots\"}", null), 400);
        var badRun = json(send("POST", ws + "/policy/evaluate",
                "{\"kind\": \"spend-run\", \"runSpentUsd\": 1, \"run\": {\"id\": -1}}", null), 400);
        var notJson = json(send("POST", ws + "/policy/evaluate", "kind: git-push", null), 400);

        assertThat(unknownKind.get("field").asText()).isEqualTo("kind");
        assertThat(unknownKind.get("detail").asText()).contains("expected one of run-command");
        assertThat(badAttributes.get("problems")).extracting(p -> p.get("field").asText())
                .containsExactlyInAnyOrder("model", "estimatedUsd");
        assertThat(badRun.get("field").asText()).isEqualTo("run.id");
        assertThat(notJson.get("detail").asText()).startsWith("the body is not valid JSON");
    }

    @Test
    void a_version_that_is_not_a_number_is_a_400_and_one_that_does_not_exist_a_404() throws Exception {
        String ws = workspace();
        json(send("POST", ws + "/policy", "name: p\ndefault: allow\n", "application/yaml"), 201);

        assertThat(json(send("GET", ws + "/policy/versions/latest", null, null), 400).get("field").asText()).isEqualTo("version");
        assertThat(json(send("GET", ws + "/policy/versions/9", null, null), 404).get("field").asText()).isEqualTo("version");
    }
}
