package dev.agentry.agents.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.agents.model.Conversation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints kept by the server, reached through its gateway with the run-scoped token:
 * {@code GET {gateway}/agentry/v1/checkpoint} answers 200 with {@code {"turn","messages","patch"}} or 204 when there
 * is none; {@code PUT} the same path with one turn's appended messages answers 204. Network failures and 5xx are
 * tried again a few times before the attempt gives up.
 */
public final class HttpCheckpoints implements Checkpoints {
    static final String PATH = "/agentry/v1/checkpoint";
    private static final int ATTEMPTS = 3;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI endpoint;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration backoff;

    public HttpCheckpoints(URI gatewayUrl, String token) {
        this(gatewayUrl, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    HttpCheckpoints(URI gatewayUrl, String token, HttpClient http, Duration timeout, Duration backoff) {
        String base = gatewayUrl.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
        this.token = token;
        this.http = http;
        this.timeout = timeout;
        this.backoff = backoff;
    }

    @Override
    public Optional<Saved> load() {
        HttpResponse<String> response = send(request().GET().build());
        if (response.statusCode() == 204) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw refused("GET", response);
        }
        try {
            JsonNode body = MAPPER.readTree(response.body());
            JsonNode turn = body.get("turn");
            JsonNode messages = body.get("messages");
            JsonNode patch = body.get("patch");
            if (turn == null || !turn.canConvertToInt() || turn.asInt() < 0) {
                throw new IllegalArgumentException("turn: expected a number of turns");
            }
            if (messages == null || !messages.isArray()) {
                throw new IllegalArgumentException("messages: expected an array");
            }
            if (patch != null && !patch.isNull() && !patch.isTextual()) {
                throw new IllegalArgumentException("patch: expected a string or null");
            }
            List<Conversation.Message> parsed = new ArrayList<>();
            for (JsonNode m : messages) {
                parsed.add(MessageJson.fromNode(m));
            }
            return Optional.of(new Saved(turn.asInt(), parsed, patch == null || patch.isNull() ? null : patch.asText()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointFailed("GET " + endpoint + " answered a checkpoint that cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void save(int turn, List<Conversation.Message> appended, String patch) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("turn", turn);
        var messages = body.putArray("messages");
        appended.forEach(m -> messages.add(MessageJson.toNode(m)));
        if (patch == null) {
            body.putNull("patch");
        } else {
            body.put("patch", patch);
        }
        HttpResponse<String> response = send(request().header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        if (response.statusCode() != 204 && response.statusCode() != 200) {
            throw refused("PUT", response);
        }
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(endpoint).timeout(timeout).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest request) {
        IOException lastFailure = null;
        HttpResponse<String> response = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                pause(attempt);
            }
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    return response;
                }
            } catch (IOException e) {
                lastFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckpointFailed(request.method() + " " + endpoint + " was interrupted", e);
            }
        }
        if (response != null) {
            return response;
        }
        throw new CheckpointFailed(request.method() + " " + endpoint + " failed after " + ATTEMPTS + " tries: "
                + lastFailure, lastFailure);
    }

    private void pause(int attempt) {
        try {
            Thread.sleep(backoff.multipliedBy(attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CheckpointFailed refused(String method, HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body().strip();
        String detail = body.length() > 300 ? body.substring(0, 300) + "…" : body;
        String meaning = switch (response.statusCode()) {
            case 401, 403 -> " (the run token was refused)";
            case 404 -> " (the gateway has no checkpoint endpoint here)";
            default -> "";
        };
        return new CheckpointFailed(method + " " + endpoint + " answered " + response.statusCode() + meaning
                + (detail.isEmpty() ? "" : ": " + detail), null);
    }
}
