package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server (through {@link TestServer}) and the few things every API test does with it: send a
 * request, read the JSON answer, check a problem+json error, wait for a run.
 */
final class ApiFixture implements AutoCloseable {
    static final String WS = "/api/workspaces/default";
    private static final ObjectMapper JSON = new ObjectMapper();

    final TestServer server;

    ApiFixture() {
        this(new TestServer());
    }

    ApiFixture(TestServer server) {
        this.server = server;
    }

    /** A response with its body read as JSON (null when it is not JSON). */
    record Response(int status, String contentType, String text, JsonNode json) {
        @Override
        public String toString() {
            return status + " " + contentType + " " + text;
        }
    }

    Response get(String path) {
        return read(server.get(path));
    }

    Response post(String path, String body) {
        return read(server.post(path, body));
    }

    Response post(String path, String body, String contentType) {
        return read(server.post(path, body, contentType));
    }

    Response postWithKey(String path, String body, String idempotencyKey) {
        return read(server.send(HttpRequest.newBuilder(URI.create(server.url + path))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    Response send(String method, String path) {
        return read(server.send(HttpRequest.newBuilder(URI.create(server.url + path))
                .method(method, HttpRequest.BodyPublishers.noBody())));
    }

    private static Response read(java.net.http.HttpResponse<String> r) {
        JsonNode json = null;
        try {
            json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            // not JSON; the caller's assertions say whether it should have been
        }
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), json);
    }

    /** Asserts a JSON answer with this status and returns its body. */
    static JsonNode ok(Response r, int status) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.contentType()).as("%s", r).startsWith("application/json");
        assertThat(r.json()).as("%s", r).isNotNull();
        return r.json();
    }

    /** Asserts an RFC 9457 problem with this status naming this field, and returns it. */
    static JsonNode problem(Response r, int status, String field) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.contentType()).as("%s", r).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p).as("%s", r).isNotNull();
        assertThat(p.path("type").asText()).as("type of %s", r).startsWith("urn:agentry:problem:");
        assertThat(p.path("title").asText()).as("title of %s", r).isNotBlank();
        assertThat(p.path("status").asInt()).as("status of %s", r).isEqualTo(status);
        assertThat(p.path("detail").asText()).as("detail of %s", r).isNotBlank();
        assertThat(p.has("field")).as("field of %s", r).isTrue();
        assertThat(p.get("field").asText()).as("field of %s", r).isEqualTo(field);
        return p;
    }

    /** Applies a definition that must be valid; returns the version it became. */
    JsonNode apply(String definition) {
        var r = post(WS + "/pipelines", definition, "application/yaml");
        assertThat(r.status()).as("%s", r).isIn(200, 201);
        return r.json();
    }

    /** Starts a run that must be accepted; returns its id. */
    long start(String body) {
        return ok(post(WS + "/runs", body), 201).get("id").asLong();
    }

    JsonNode run(long id) {
        return ok(get(WS + "/runs/" + id), 200);
    }

    JsonNode step(long run, String step) {
        for (JsonNode s : run(run).get("steps")) {
            if (s.get("id").asText().equals(step)) {
                return s;
            }
        }
        throw new AssertionError("run " + run + " has no step " + step);
    }

    JsonNode awaitRun(long id, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(run(id).get("status").asText()).isEqualTo(status));
        return run(id);
    }

    /** Ids of every run in the workspace, newest first, following the cursor to the end. */
    List<Long> allRunIds() {
        var ids = new ArrayList<Long>();
        String cursor = "";
        do {
            var page = ok(get(WS + "/runs?limit=500&cursor=" + cursor), 200);
            page.get("items").forEach(i -> ids.add(i.get("id").asLong()));
            cursor = page.path("next").isTextual() ? page.get("next").asText() : null;
        } while (cursor != null);
        return ids;
    }

    /** Names and latest versions of every pipeline, as listed. */
    List<String> pipelines() {
        var items = new ArrayList<String>();
        ok(get(WS + "/pipelines"), 200).get("items").forEach(p -> items.add(p.get("name").asText() + "@" + p.get("version").asInt()));
        return items;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
