package dev.agentry.server;

import dev.agentry.postgres.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Agentry server in this JVM on a free port, with its own fresh database on the shared test
 * PostgreSQL, and a plain HTTP client to talk to it.
 */
public final class TestServer implements AutoCloseable {
    public final AgentryServer server;
    public final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    public TestServer() {
        try {
            Path home = Files.createTempDirectory("agentry-test-home");
            var config = new ServerConfig(home, "127.0.0.1", 0, TestDatabase.freshUrl(), "test-node", 8,
                    Duration.ofSeconds(3), Duration.ofMillis(500), 64 * 1024, 64 * 1024, 8);
            server = AgentryServer.start(config);
            url = server.url();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    public HttpResponse<String> post(String path, String body) {
        return post(path, body, "application/json");
    }

    public HttpResponse<String> post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
