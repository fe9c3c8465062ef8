package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.http.ApiJson;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The CLI's view of the HTTP API: JSON in, JSON out, problems turned into {@link Failure}s. */
final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String workspace;

    /** @throws Failure (exit code 2) when {@code url} is not an http or https URL with a host */
    ApiClient(String url, String workspace) {
        this.base = serverUrl(url);
        this.workspace = workspace;
    }

    /** The server URL without a trailing slash, checked the way the HTTP client would (and a little more). */
    private static String serverUrl(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri;
        try {
            uri = new URI(base);
        } catch (URISyntaxException e) {
            throw invalidUrl(url);
        }
        boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        if (!http || uri.getHost() == null || uri.getPort() > 65535 || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalidUrl(url);
        }
        return base;
    }

    private static Failure invalidUrl(String url) {
        return new Failure("not a valid server URL: '" + url + "' (expected one like http://127.0.0.1:7070)", 2);
    }

    /** An API error (with the server's problem detail) or an unreachable server. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    JsonNode get(String path, Map<String, String> query) {
        return send(request(path, query).GET());
    }

    JsonNode post(String path, Object body) {
        String json;
        try {
            json = ApiJson.MAPPER.writeValueAsString(body == null ? Map.of() : body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send(request(path, Map.of()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    JsonNode postText(String path, String text, String contentType) {
        return send(request(path, Map.of()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    private HttpRequest.Builder request(String path, Map<String, String> query) {
        var sb = new StringBuilder(base).append("/api/workspaces/").append(segment(workspace)).append(path);
        var params = new LinkedHashMap<>(query);
        params.values().removeIf(v -> v == null);
        if (!params.isEmpty()) {
            sb.append('?');
            params.forEach((k, v) -> sb.append(enc(k)).append('=').append(enc(v)).append('&'));
            sb.setLength(sb.length() - 1);
        }
        try {
            return HttpRequest.newBuilder(URI.create(sb.toString()));
        } catch (IllegalArgumentException e) { // the base was checked; what is left is a path from the command line
            throw new Failure("cannot make a request URL from '" + sb + "'", 2);
        }
    }

    /** One path segment, percent-encoded: a pipeline name with a space or a slash stays one segment. */
    static String segment(String s) {
        return enc(s).replace("+", "%20");
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("cannot reach the Agentry server at " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is `agentry serve` running? Set --url or AGENTRY_URL.", 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", 130);
        }
        JsonNode body;
        try {
            body = response.body().isEmpty() ? ApiJson.MAPPER.createObjectNode() : ApiJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new Failure("the server answered " + response.statusCode() + " with a body that is not JSON", 1);
        }
        if (response.statusCode() >= 400) {
            String detail = body.path("detail").asText("HTTP " + response.statusCode());
            var problems = body.path("problems");
            if (problems.isArray() && problems.size() > 1) {
                var sb = new StringBuilder(body.path("title").asText("error"));
                problems.forEach(p -> sb.append("\n  ").append(p.path("field").asText().isEmpty() ? "" : p.path("field").asText() + ": ")
                        .append(p.path("message").asText()));
                detail = sb.toString();
            }
            throw new Failure(detail, 1);
        }
        return body;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
