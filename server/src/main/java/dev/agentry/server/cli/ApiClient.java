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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The CLI's view of the HTTP API: JSON in, JSON out, problems turned into {@link Failure}s. */
final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String workspace;
    private final String token;

    /**
     * @param token the API token sent as a bearer token; null sends none (the server then answers 401)
     * @throws Failure (exit code 2) when {@code url} is not an http or https URL with a host
     */
    ApiClient(String url, String workspace, String token) {
        this.base = serverUrl(url);
        this.workspace = workspace;
        this.token = token;
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

    /** The server's URL, without a trailing slash: where commands tell users to point senders. */
    String serverUrl() {
        return base;
    }

    private static Failure invalidUrl(String url) {
        return new Failure("not a valid server URL: '" + url + "' (expected one like http://127.0.0.1:7070)", 2);
    }

    /** An API error (with the server's problem detail) or an unreachable server. */
    static final class Failure extends RuntimeException {
        final int exitCode;
        /** The HTTP status the server answered with; 0 when there was no answer. */
        final int status;

        Failure(String message, int exitCode) {
            this(message, exitCode, 0);
        }

        Failure(String message, int exitCode, int status) {
            super(message);
            this.exitCode = exitCode;
            this.status = status;
        }
    }

    JsonNode get(String path, Map<String, String> query) {
        return send(request(workspacePath(path), query).GET());
    }

    JsonNode post(String path, Object body) {
        String json;
        try {
            json = ApiJson.MAPPER.writeValueAsString(body == null ? Map.of() : body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return send(request(workspacePath(path), Map.of()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    JsonNode delete(String path) {
        return send(request(workspacePath(path), Map.of()).DELETE());
    }

    /** A GET of the deployment-wide API ({@code /api/...}), outside any workspace: pools. */
    JsonNode getGlobal(String path) {
        return send(request("/api" + path, Map.of()).GET());
    }

    JsonNode postGlobal(String path, Object body) {
        try {
            return send(request("/api" + path, Map.of()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(ApiJson.MAPPER.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PUT of a JSON body, under the workspace or, with {@code global}, under {@code /api}. */
    JsonNode put(String path, Object body, boolean global) {
        try {
            return send(request(global ? "/api" + path : workspacePath(path), Map.of()).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(ApiJson.MAPPER.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode deleteGlobal(String path) {
        return send(request("/api" + path, Map.of()).DELETE());
    }

    JsonNode postText(String path, String text, String contentType) {
        return send(request(workspacePath(path), Map.of()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    /**
     * Opens a GET whose body is read as it arrives, line by line: an event stream or an export. The path is
     * under the workspace, or with {@code fleet} under {@code /api} (every workspace). The caller closes
     * the lines; closing them, or interrupting the thread that reads them, drops the connection.
     *
     * @param lastEventId sent as {@code Last-Event-ID}, where an event stream resumes; null to send none
     */
    Stream<String> lines(String path, Map<String, String> query, boolean fleet, Long lastEventId) throws InterruptedException {
        var request = request(fleet ? "/api" + path : workspacePath(path), query).GET()
                .timeout(Duration.ofSeconds(60)); // until the answer starts; the body may then take as long as it takes
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (response.statusCode() >= 400) {
            String text;
            try (var body = response.body()) {
                text = body.collect(Collectors.joining("\n"));
            }
            throw refused(response.statusCode(), text);
        }
        return response.body();
    }

    private String workspacePath(String path) {
        return "/api/workspaces/" + segment(workspace) + path;
    }

    private HttpRequest.Builder request(String fullPath, Map<String, String> query) {
        var sb = new StringBuilder(base).append(fullPath);
        var params = new LinkedHashMap<>(query);
        params.values().removeIf(v -> v == null);
        if (!params.isEmpty()) {
            sb.append('?');
            params.forEach((k, v) -> sb.append(enc(k)).append('=').append(enc(v)).append('&'));
            sb.setLength(sb.length() - 1);
        }
        try {
            var builder = HttpRequest.newBuilder(URI.create(sb.toString()));
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            return builder;
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
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", 130);
        }
        if (response.statusCode() >= 400) {
            throw refused(response.statusCode(), response.body());
        }
        try {
            return response.body().isEmpty() ? ApiJson.MAPPER.createObjectNode() : ApiJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new Failure("the server answered " + response.statusCode() + " with a body that is not JSON", 1);
        }
    }

    private Failure unreachable(IOException e) {
        return new Failure("cannot reach the Agentry server at " + base + " (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is `agentry serve` running? Set --url or AGENTRY_URL.", 3);
    }

    /** A refusal, told by the server's problem+json: its detail, or each of its problems. */
    private static Failure refused(int status, String text) {
        JsonNode body;
        try {
            body = text.isEmpty() ? ApiJson.MAPPER.createObjectNode() : ApiJson.MAPPER.readTree(text);
        } catch (IOException e) {
            return new Failure("the server answered " + status + " with a body that is not JSON", 1, status);
        }
        String detail = body.path("detail").asText("HTTP " + status);
        var problems = body.path("problems");
        if (problems.isArray() && problems.size() > 1) {
            var sb = new StringBuilder(body.path("title").asText("error"));
            problems.forEach(p -> sb.append("\n  ").append(p.path("field").asText().isEmpty() ? "" : p.path("field").asText() + ": ")
                    .append(p.path("message").asText()));
            detail = sb.toString();
        }
        return new Failure(detail, 1, status);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
