package dev.agentry.server.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talking to the board of the default workspace of a test server. */
final class Boards {
    static final String WS = "/api/workspaces/default";
    static final ObjectMapper JSON = new ObjectMapper();
    /** A pipeline that waits for a person's approval, so a test decides when each run ends. */
    static final String HELD = """
            name: held
            inputs:
              task: {default: none}
              description: {default: ""}
            steps:
              - id: hold
                kind: approval
                prompt: "Finish {{ inputs.task }}?"
            """;

    private Boards() {}

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode created(TestServer s, String path, String body) {
        var r = s.post(WS + path, body);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return json(r);
    }

    static long block(TestServer s, String body) {
        return created(s, "/blocks", body).path("id").asLong();
    }

    static void dependsOn(TestServer s, long from, long to) {
        created(s, "/blocks/" + from + "/edges", "{\"dependsOn\": " + to + "}");
    }

    static JsonNode get(TestServer s, String path) {
        var r = s.get(WS + path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    static HttpResponse<String> patch(TestServer s, String path, String body) {
        return s.send(HttpRequest.newBuilder(URI.create(s.url + WS + path)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    static String status(TestServer s, long block) {
        return get(s, "/blocks/" + block).path("status").asText();
    }

    /** Approves the run's waiting approval once it asks. */
    static void approve(TestServer s, long run) {
        long decision = await().atMost(Duration.ofSeconds(20)).until(
                () -> get(s, "/runs/" + run).path("steps").get(0).path("decision").asLong(), d -> d > 0);
        var r = s.post(WS + "/decisions/" + decision + "/approve", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
