package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.engine.Views;
import dev.agentry.core.trigger.SignatureVerifier;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Deliveries to {@code POST /hooks/{workspace}/{trigger}}: signed, mapped, deduplicated, started as runs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveriesTest {
    static final String ISSUE_OPENED = """
            {"action":"opened","issue":{"number":42,"title":"Crash on start","user":{"login":"ada"}},
             "repository":{"full_name":"acme/app"}}""";

    TriggerApp app;

    @BeforeAll
    void start() {
        app = new TriggerApp();
        app.engine.apply("default", """
                name: fix-issue
                inputs:
                  task: {required: true}
                  number: {required: false}
                  source: {required: false}
                steps:
                  - {id: work, kind: noop}
                """, null);
        trigger("issues", "github", "[\"issues\"]");
        trigger("any-github", "github", "[]");
        trigger("generic", "generic", "[]");
        trigger("opened-only", "github", "[\"issues.opened\"]");
        var off = ok(app.send("POST", "/api/workspaces/default/triggers", Map.of(), bytes("""
                {"name": "off", "pipeline": "fix-issue", "format": "github", "secret": "hook-secret",
                 "inputs": {"task": "$.issue.title"}, "enabled": false}""")), 201);
        assertThat(off.path("enabled").asBoolean()).isFalse();
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private void trigger(String name, String format, String events) {
        ok(app.send("POST", "/api/workspaces/default/triggers", Map.of("Content-Type", "application/json"), bytes("""
                {"name": "%s", "pipeline": "fix-issue", "format": "%s", "secret": "hook-secret",
                 "inputs": {"task": "$.issue.title", "number": "#{{ $.issue.number }}", "source": "{{ hook.event }} {{ hook.delivery }}"},
                 "events": %s}""".formatted(name, format, events))), 201);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return ApiJson.MAPPER.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static JsonNode ok(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return json(r);
    }

    static JsonNode problem(HttpResponse<String> r, int status, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.path("type").asText()).startsWith("urn:agentry:problem:");
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("field").asText()).isEqualTo(field);
        assertThat(r.body()).doesNotContain(TriggerApp.SECRET);
        return p;
    }

    HttpResponse<String> github(String trigger, String delivery, String event, byte[] body, String signature) {
        var headers = new HashMap<String, String>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        if (signature != null) {
            headers.put("X-Hub-Signature-256", signature);
        }
        return app.send("POST", "/hooks/default/" + trigger, headers, body);
    }

    HttpResponse<String> github(String trigger, String delivery, String event, byte[] body) {
        return github(trigger, delivery, event, body, SignatureVerifier.githubSignature(TriggerApp.SECRET, body));
    }

    HttpResponse<String> generic(String trigger, String delivery, byte[] body, String signature) {
        var headers = new HashMap<String, String>();
        if (delivery != null) {
            headers.put("X-Agentry-Delivery", delivery);
        }
        headers.put("X-Agentry-Signature", signature);
        headers.put("X-Agentry-Event", "build");
        return app.send("POST", "/hooks/default/" + trigger, headers, body);
    }

    static String delivery() {
        return UUID.randomUUID().toString();
    }

    /** The runs deliveries to this trigger started. */
    List<Views.RunView> runsOf(String trigger) {
        return app.runs().stream()
                .filter(r -> r.idempotencyKey() != null && r.idempotencyKey().startsWith("webhook:" + trigger + ":"))
                .toList();
    }

    @Test
    void a_github_delivery_with_a_valid_signature_starts_a_run_with_the_mapped_inputs() {
        String id = delivery();

        var answer = ok(github("issues", id, "issues", bytes(ISSUE_OPENED)), 202);

        long run = answer.path("run").asLong();
        assertThat(answer.path("duplicate").asBoolean()).isFalse();
        assertThat(answer.path("runUrl").asText()).isEqualTo("/api/workspaces/default/runs/" + run);
        var started = app.queries.run("default", run).orElseThrow();
        assertThat(started.pipeline()).isEqualTo("fix-issue");
        assertThat(started.inputs()).containsEntry("task", "Crash on start").containsEntry("number", "#42")
                .containsEntry("source", "issues " + id);
        assertThat(started.idempotencyKey()).isEqualTo("webhook:issues:" + id);
    }

    @Test
    void a_wrong_signature_is_refused_with_401_and_starts_nothing() {
        byte[] body = bytes(ISSUE_OPENED);
        int before = runsOf("any-github").size();

        var p = problem(github("any-github", delivery(), "issues", body, SignatureVerifier.githubSignature("not the secret", body)),
                401, "X-Hub-Signature-256");

        assertThat(p.path("detail").asText()).contains("does not match");
        assertThat(runsOf("any-github")).hasSize(before);
    }

    @Test
    void a_delivery_without_a_signature_is_refused_with_401_and_starts_nothing() {
        int before = runsOf("any-github").size();

        problem(github("any-github", delivery(), "issues", bytes(ISSUE_OPENED), null), 401, "X-Hub-Signature-256");

        assertThat(runsOf("any-github")).hasSize(before);
    }

    @Test
    void the_same_delivery_twice_is_one_run_and_the_second_answer_names_it() {
        String id = delivery();
        byte[] body = bytes(ISSUE_OPENED);

        long first = ok(github("any-github", id, "issues", body), 202).path("run").asLong();
        var again = ok(github("any-github", id, "issues", body), 200);

        assertThat(again.path("run").asLong()).isEqualTo(first);
        assertThat(again.path("duplicate").asBoolean()).isTrue();
        assertThat(runsOf("any-github")).filteredOn(r -> r.idempotencyKey().endsWith(id)).hasSize(1);
    }

    @Test
    void copies_of_one_delivery_arriving_at_once_are_one_run() throws Exception {
        String id = delivery();
        byte[] body = bytes(ISSUE_OPENED);
        List<HttpResponse<String>> answers;
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var copies = java.util.stream.IntStream.range(0, 4)
                    .mapToObj(i -> pool.submit(() -> github("any-github", id, "issues", body))).toList();
            answers = new java.util.ArrayList<>();
            for (var copy : copies) {
                answers.add(copy.get());
            }
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 202).containsOnlyOnce(202);
        assertThat(answers).extracting(r -> json(r).path("run").asLong()).containsOnly(json(answers.get(0)).path("run").asLong());
        assertThat(runsOf("any-github")).filteredOn(r -> r.idempotencyKey().endsWith(id)).hasSize(1);
    }

    @Test
    void a_redelivery_is_the_same_run_even_after_its_record_was_pruned() {
        String id = delivery();
        byte[] body = bytes(ISSUE_OPENED);
        long first = ok(github("any-github", id, "issues", body), 202).path("run").asLong();

        app.store.pruneDeliveries(Instant.now().plusSeconds(60), 1_000);
        var again = ok(github("any-github", id, "issues", body), 200);

        assertThat(again.path("run").asLong()).isEqualTo(first);
    }

    @Test
    void a_signature_computed_over_the_body_written_again_is_refused() throws Exception {
        byte[] sent = bytes(ISSUE_OPENED);
        byte[] reserialized = ApiJson.MAPPER.writeValueAsBytes(ApiJson.MAPPER.readTree(sent));
        assertThat(reserialized).isNotEqualTo(sent);
        int before = runsOf("any-github").size();

        problem(github("any-github", delivery(), "issues", sent, SignatureVerifier.githubSignature(TriggerApp.SECRET, reserialized)),
                401, "X-Hub-Signature-256");

        assertThat(runsOf("any-github")).hasSize(before);
    }

    @Test
    void a_generic_delivery_signed_now_starts_a_run() {
        byte[] body = bytes(ISSUE_OPENED);
        String signature = SignatureVerifier.genericSignature(TriggerApp.SECRET, Instant.now().getEpochSecond(), body);

        String id = delivery();

        long run = ok(generic("generic", id, body, signature), 202).path("run").asLong();

        assertThat(app.queries.run("default", run).orElseThrow().inputs()).containsEntry("task", "Crash on start")
                .containsEntry("source", "build " + id);
    }

    @Test
    void a_generic_delivery_signed_outside_the_replay_window_is_refused() {
        byte[] body = bytes(ISSUE_OPENED);
        long tenMinutesAgo = Instant.now().minusSeconds(600).getEpochSecond();
        int before = runsOf("generic").size();

        var p = problem(generic("generic", delivery(), body, SignatureVerifier.genericSignature(TriggerApp.SECRET, tenMinutesAgo, body)),
                401, "X-Agentry-Signature");

        assertThat(p.path("detail").asText()).contains("old").contains("300 s");
        assertThat(runsOf("generic")).hasSize(before);
    }

    @Test
    void a_generic_delivery_needs_a_delivery_id() {
        byte[] body = bytes(ISSUE_OPENED);
        String signature = SignatureVerifier.genericSignature(TriggerApp.SECRET, Instant.now().getEpochSecond(), body);

        problem(generic("generic", null, body, signature), 400, "X-Agentry-Delivery");
    }

    @Test
    void a_payload_missing_a_mapped_field_is_refused_naming_the_input_and_the_path() {
        byte[] body = bytes("{\"action\":\"opened\",\"issue\":{\"number\":7}}");
        int before = runsOf("any-github").size();

        var p = problem(github("any-github", delivery(), "issues", body), 400, "inputs.task");

        assertThat(p.path("detail").asText()).contains("task").contains("$.issue.title");
        assertThat(runsOf("any-github")).hasSize(before);
    }

    @Test
    void a_body_that_is_not_json_is_refused() {
        problem(github("any-github", delivery(), "issues", bytes("payload=%7B%7D")), 400, "body");
    }

    @Test
    void an_event_the_trigger_does_not_take_is_answered_204_and_starts_nothing() {
        int before = runsOf("issues").size();

        var r = github("issues", delivery(), "push", bytes("{\"ref\":\"refs/heads/main\"}"));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("X-Agentry-Ignored").orElse("")).contains("push");
        assertThat(runsOf("issues")).hasSize(before);
    }

    @Test
    void an_event_filter_can_name_one_action() {
        String closed = ISSUE_OPENED.replace("\"opened\"", "\"closed\"");

        assertThat(github("opened-only", delivery(), "issues", bytes(closed)).statusCode()).isEqualTo(204);
        ok(github("opened-only", delivery(), "issues", bytes(ISSUE_OPENED)), 202);
    }

    @Test
    void github_s_ping_is_answered_without_starting_a_run() {
        int before = runsOf("any-github").size();

        var r = github("any-github", delivery(), "ping", bytes("{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}"));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(runsOf("any-github")).hasSize(before);
    }

    @Test
    void a_delivery_to_an_unknown_trigger_or_workspace_is_404() {
        problem(github("nope", delivery(), "issues", bytes(ISSUE_OPENED)), 404, "trigger");
        problem(app.send("POST", "/hooks/elsewhere/issues", Map.of(), bytes("{}")), 404, "trigger");
    }

    @Test
    void a_disabled_trigger_refuses_signed_deliveries_with_409() {
        problem(github("off", delivery(), "issues", bytes(ISSUE_OPENED)), 409, "");
        assertThat(runsOf("off")).isEmpty();
    }

    @Test
    void a_delivery_larger_than_the_api_s_limit_but_within_a_mebibyte_is_read_whole() {
        String padding = "x".repeat(TriggerApp.API_BODY_LIMIT * 2);
        byte[] body = bytes("{\"issue\":{\"title\":\"big\",\"number\":1},\"padding\":\"" + padding + "\"}");

        ok(github("any-github", delivery(), "issues", body), 202);
    }

    @Test
    void a_delivery_of_exactly_a_mebibyte_is_accepted() {
        String prefix = "{\"issue\":{\"title\":\"big\",\"number\":2},\"padding\":\"";
        String suffix = "\"}";
        byte[] body = bytes(prefix + "x".repeat((1 << 20) - prefix.length() - suffix.length()) + suffix);
        assertThat(body).hasSize(1 << 20);

        ok(github("any-github", delivery(), "issues", body), 202);
    }

    /**
     * Announced by its length, a body over the limit is refused before it is read; a raw socket sends the headers
     * alone, since a client that keeps writing the body would see the connection closed under it.
     */
    @Test
    void a_delivery_announced_over_a_mebibyte_is_refused_with_413() throws Exception {
        int before = runsOf("any-github").size();
        try (var socket = new java.net.Socket("127.0.0.1", app.app.port())) {
            socket.setSoTimeout(5000);
            String head = "POST /hooks/default/any-github HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-GitHub-Event: issues\r\nX-GitHub-Delivery: " + delivery() + "\r\nX-Hub-Signature-256: sha256=00\r\n"
                    + "Content-Length: " + ((1 << 20) + 1) + "\r\n\r\n{\"issue\":";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).contains("urn:agentry:problem:body-too-large").contains("1048576 bytes");
        }
        assertThat(runsOf("any-github")).hasSize(before);
    }
}
