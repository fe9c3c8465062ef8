package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What every client meets whatever it calls: health, the API description, and errors as problem+json. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsApiTest {
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
        api.apply("{name: small, inputs: {text: {}}, steps: [{id: a, kind: noop}]}");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    @Test
    void health_and_readiness_answer_ok_while_the_server_runs() {
        assertThat(ok(api.get("/healthz"), 200).get("status").asText()).isEqualTo("ok");
        assertThat(ok(api.get("/readyz"), 200).get("status").asText()).isEqualTo("ready");
    }

    @Test
    void the_api_describes_itself_as_an_openapi_document() {
        var doc = ok(api.get("/api/openapi.json"), 200);
        assertThat(doc.has("openapi")).as("openapi version field in %s", doc).isTrue();
        assertThat(doc.has("paths")).as("paths in %s", doc).isTrue();
    }

    @Test
    void an_unknown_endpoint_is_a_not_found_problem() {
        var p = problem(api.get("/api/nothing-here"), 404, "path");
        assertThat(p.get("detail").asText()).contains("no such endpoint: GET /api/nothing-here");
        problem(api.get(WS + "/runz"), 404, "path");
    }

    @Test
    void a_method_an_endpoint_does_not_support_is_a_problem() {
        var r = api.send("DELETE", WS + "/runs");
        assertThat(r.status()).isIn(404, 405);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
    }

    @Test
    void an_unknown_workspace_is_not_found_and_nothing_is_stored_in_it() {
        var p = problem(api.get("/api/workspaces/nope/runs"), 404, "workspace");
        assertThat(p.get("detail").asText()).isEqualTo("no workspace 'nope'");
        problem(api.post("/api/workspaces/nope/pipelines", "{name: elsewhere, steps: [{id: a, kind: noop}]}", "application/yaml"),
                404, "workspace");
        problem(api.post("/api/workspaces/nope/runs", "{\"pipeline\": \"small\"}"), 404, "workspace");
        problem(api.get("/api/workspaces/nope/decisions"), 404, "workspace");
        assertThat(api.pipelines()).doesNotContain("elsewhere@1");
    }

    @Test
    void an_oversized_body_is_refused_with_413_before_anything_is_stored() {
        var before = api.allRunIds();
        String big = "{\"pipeline\": \"small\", \"inputs\": {\"text\": \"" + "x".repeat(65 * 1024) + "\"}}";
        var p = problem(api.post(WS + "/runs", big), 413, "");
        assertThat(p.get("type").asText()).isEqualTo("urn:agentry:problem:body-too-large");
        assertThat(p.get("detail").asText()).contains("65536 bytes");
        assertThat(api.allRunIds()).isEqualTo(before);

        problem(api.post(WS + "/decisions/1/approve", "{\"comment\": \"" + "x".repeat(65 * 1024) + "\"}"), 413, "");
    }

    @Test
    void a_body_just_under_the_limit_is_accepted() {
        String body = "{\"pipeline\": \"small\", \"inputs\": {\"text\": \"" + "x".repeat(60 * 1024) + "\"}}";
        long id = ok(api.post(WS + "/runs", body), 201).get("id").asLong();
        assertThat(api.run(id).get("inputs").get("text").asText()).hasSize(60 * 1024);
    }

    @Test
    void malformed_json_names_where_it_broke() {
        var p = problem(api.post(WS + "/runs", "{\n  \"pipeline\": \"small\"\n  \"inputs\": {}\n}"), 400, "");
        assertThat(p.get("type").asText()).isEqualTo("urn:agentry:problem:invalid-request");
        assertThat(p.get("detail").asText()).startsWith("the body is not valid JSON (line 3, column ");
        var list = problem(api.post(WS + "/runs", "[1, 2]"), 400, "");
        assertThat(list.get("detail").asText()).contains("expected a JSON object, got a list");
    }

    @Test
    void a_key_written_twice_in_a_body_is_refused_rather_than_guessed() {
        var before = api.allRunIds();
        var p = problem(api.post(WS + "/runs", "{\"pipeline\": \"small\", \"inputs\": {\"text\": \"a\", \"text\": \"b\"}}"), 400, "");
        assertThat(p.get("detail").asText()).contains("Duplicate field 'text'");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"small\", \"pipeline\": \"other\"}"), 400, "");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void text_that_cannot_be_stored_is_a_bad_request_not_a_server_error() {
        var before = api.allRunIds();
        problem(api.post(WS + "/runs", "{\"pipeline\": \"small\", \"inputs\": {\"text\": \"a\\u0000b\"}}"), 400, "inputs.text");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"small\", \"idempotencyKey\": \"k\\u0000\"}"), 400, "idempotencyKey");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"sm\\u0000all\"}"), 400, "pipeline");
        problem(api.get(WS + "/runs?pipeline=sm%00all"), 400, "pipeline");
        problem(api.post(WS + "/decisions/1/approve", "{\"by\": \"\\u0000\"}"), 400, "by");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void a_bad_request_names_its_one_problem_in_the_list_too() {
        var p = problem(api.post(WS + "/runs", "{\"pipeline\": true}"), 400, "pipeline");
        assertThat(p.get("title").asText()).isEqualTo("The request is not valid");
        assertThat(p.get("problems")).hasSize(1);
        assertThat(p.get("problems").get(0).get("field").asText()).isEqualTo("pipeline");
        assertThat(p.get("problems").get(0).get("message").asText()).isEqualTo("expected a string, got true");
    }
}
