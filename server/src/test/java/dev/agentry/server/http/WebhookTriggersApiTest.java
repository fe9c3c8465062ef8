package dev.agentry.server.http;

import static dev.agentry.server.http.WebhookDeliveriesTest.bytes;
import static dev.agentry.server.http.WebhookDeliveriesTest.ok;
import static dev.agentry.server.http.WebhookDeliveriesTest.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Managing triggers under {@code /api/workspaces/{workspace}/triggers}, and the precise errors it answers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookTriggersApiTest {
    static final String TRIGGERS = "/api/workspaces/default/triggers";

    TriggerApp app;

    @BeforeAll
    void start() {
        app = new TriggerApp();
        app.engine.apply("default", """
                name: fix-issue
                inputs:
                  task: {required: true}
                  label: {required: false}
                  base: {required: true, default: main}
                steps:
                  - {id: work, kind: noop}
                """, null);
    }

    @AfterAll
    void stop() {
        app.close();
    }

    HttpResponse<String> post(String json) {
        return app.send("POST", TRIGGERS, Map.of("Content-Type", "application/json"), bytes(json));
    }

    static String body(String name, String extra) {
        return """
                {"name": "%s", "pipeline": "fix-issue", "format": "github", "secret": "hook-secret",
                 "inputs": {"task": "$.issue.title"}%s}""".formatted(name, extra);
    }

    @Test
    void a_trigger_is_created_read_listed_and_removed() {
        var created = ok(post(body("crud", ", \"events\": [\"issues\", \"issue_comment.created\"]")), 201);

        assertThat(created.path("name").asText()).isEqualTo("crud");
        assertThat(created.path("format").asText()).isEqualTo("github");
        assertThat(created.path("secret").asText()).isEqualTo("hook-secret");
        assertThat(created.path("inputs").path("task").asText()).isEqualTo("$.issue.title");
        assertThat(created.path("events")).extracting(JsonNode::asText).containsExactly("issues", "issue_comment.created");
        assertThat(created.path("enabled").asBoolean()).isTrue();
        assertThat(created.path("hook").asText()).isEqualTo("/hooks/default/crud");
        assertThat(created.path("createdAt").asText()).isNotBlank();

        assertThat(ok(app.send("GET", TRIGGERS + "/crud", Map.of(), null), 200)).isEqualTo(created);
        assertThat(ok(app.send("GET", TRIGGERS, Map.of(), null), 200).path("triggers"))
                .extracting(t -> t.path("name").asText()).contains("crud");

        assertThat(app.send("DELETE", TRIGGERS + "/crud", Map.of(), null).statusCode()).isEqualTo(204);
        problem(app.send("GET", TRIGGERS + "/crud", Map.of(), null), 404, "name");
        problem(app.send("DELETE", TRIGGERS + "/crud", Map.of(), null), 404, "name");
    }

    @Test
    void no_answer_carries_the_secret_itself() {
        var responses = java.util.List.of(post(body("secretive", "")), app.send("GET", TRIGGERS, Map.of(), null),
                app.send("GET", TRIGGERS + "/secretive", Map.of(), null));

        assertThat(responses).allSatisfy(r -> assertThat(r.body()).doesNotContain(TriggerApp.SECRET));
    }

    @Test
    void posting_a_trigger_again_replaces_it_and_keeps_when_it_was_created() {
        var first = ok(post(body("replaced", "")), 201);

        var second = ok(post(body("replaced", ", \"enabled\": false").replace("$.issue.title", "$.pull_request.title")), 201);

        assertThat(second.path("createdAt")).isEqualTo(first.path("createdAt"));
        assertThat(second.path("enabled").asBoolean()).isFalse();
        assertThat(second.path("inputs").path("task").asText()).isEqualTo("$.pull_request.title");
    }

    @Test
    void an_invalid_jsonpath_is_a_400_naming_the_input() {
        var p = problem(post(body("bad-path", "").replace("$.issue.title", "$.issue[0")), 400, "inputs.task");

        assertThat(p.path("detail").asText()).contains("$.issue[0").contains("JSONPath");
    }

    @Test
    void a_reference_that_is_not_a_jsonpath_is_a_400_naming_the_input() {
        problem(post(body("bad-ref", "").replace("$.issue.title", "Fix {{ issue.title }}")), 400, "inputs.task");
    }

    @Test
    void malformed_fields_are_400s_naming_the_field() {
        problem(post(body("bad-format", "").replace("\"github\"", "\"gitlab\"")), 400, "format");
        problem(post(body("Bad Name", "")), 400, "name");
        problem(post("{\"name\": \"no-pipeline\", \"format\": \"github\", \"secret\": \"hook-secret\"}"), 400, "pipeline");
        problem(post(body("no-secret", "").replace("\"secret\": \"hook-secret\",", "")), 400, "secret");
        problem(post(body("secret-value", "").replace("\"hook-secret\"", "\"sha256 looks like a secret!\"")), 400, "secret");
        problem(post(body("extra", ", \"colour\": \"red\"")), 400, "colour");
        problem(post(body("events-text", ", \"events\": \"issues\"")), 400, "events");
        problem(post(body("events-bad", ", \"events\": [\"issues\", \"Issue Comment\"]")), 400, "events[1]");
        problem(post(body("input-number", "").replace("\"$.issue.title\"", "42")), 400, "inputs.task");
        problem(post(body("enabled-text", ", \"enabled\": \"yes\"")), 400, "enabled");
        problem(post("[1, 2]"), 400, "");
        problem(post("{\"name\": "), 400, "");
    }

    @Test
    void a_pipeline_that_is_not_applied_is_a_422() {
        var p = problem(post(body("no-such-pipeline", "").replace("fix-issue", "not-applied")), 422, "pipeline");

        assertThat(p.path("detail").asText()).contains("not-applied");
    }

    @Test
    void a_secret_that_is_not_set_is_a_422() {
        problem(post(body("unset-secret", "").replace("hook-secret", "unset-secret")), 422, "secret");
    }

    @Test
    void an_input_the_pipeline_does_not_declare_is_a_422_naming_it() {
        var p = problem(post(body("undeclared", "").replace("\"task\": \"$.issue.title\"",
                "\"task\": \"$.issue.title\", \"colour\": \"red\"")), 422, "inputs.colour");

        assertThat(p.path("detail").asText()).contains("task, label, base");
    }

    @Test
    void a_required_input_left_unmapped_is_a_422_and_one_with_a_default_may_be_left_out() {
        var p = problem(post(body("unmapped", "").replace("\"task\": \"$.issue.title\"", "\"label\": \"$.label.name\"")),
                422, "inputs");

        assertThat(p.path("detail").asText()).contains("'task'").doesNotContain("'base'");
    }

    @Test
    void a_repository_that_is_not_registered_is_a_422() {
        problem(post(body("no-repo", ", \"repository\": \"app\"")), 422, "repository");
    }

    @Test
    void every_problem_with_what_a_trigger_refers_to_is_listed() {
        var p = problem(post(body("many", ", \"repository\": \"app\"").replace("hook-secret", "unset-secret")
                .replace("\"task\": \"$.issue.title\"", "\"task\": \"$.issue.title\", \"colour\": \"red\"")), 422, "inputs.colour");

        assertThat(p.path("problems")).extracting(x -> x.path("field").asText())
                .containsExactlyInAnyOrder("inputs.colour", "secret", "repository");
    }
}
