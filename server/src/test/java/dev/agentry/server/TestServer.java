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
    /** The first administrator's token: every request of the helpers below sends it unless it sends its own. */
    public static final String ADMIN_TOKEN = "agentry-test-admin-token-0001";
    public final AgentryServer server;
    public final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Event settings for tests: quick heartbeats, a quick stall window. */
    public static final ServerConfig.Events EVENTS = new ServerConfig.Events(Duration.ofDays(7), Duration.ofSeconds(60),
            Duration.ofSeconds(1), 10_000, Duration.ofMinutes(5), 1 << 20);

    public TestServer() {
        this(EVENTS);
    }

    public TestServer(ServerConfig.Events events) {
        this(events, TestDatabase.freshUrl());
    }

    public TestServer(ServerConfig.Events events, String databaseUrl) {
        this(events, databaseUrl, ServerConfig.Work.DEFAULTS);
    }

    public TestServer(ServerConfig.Work work) {
        this(EVENTS, TestDatabase.freshUrl(), work);
    }

    public TestServer(ServerConfig.Events events, String databaseUrl, ServerConfig.Work work) {
        this(events, databaseUrl, work, ModelsConfig.none());
    }

    public TestServer(ServerConfig.Work work, ModelsConfig models) {
        this(EVENTS, TestDatabase.freshUrl(), work, models);
    }

    public TestServer(ServerConfig.Events events, String databaseUrl, ServerConfig.Work work, ModelsConfig models) {
        try {
            Path home = Files.createTempDirectory("agentry-test-home");
            var config = new ServerConfig(home, "127.0.0.1", 0, databaseUrl, "test-node-" + java.util.UUID.randomUUID().toString().substring(0, 6), 8,
                    Duration.ofSeconds(3), Duration.ofMillis(500), 64 * 1024, 64 * 1024, 8, events, work, models,
                    new ServerConfig.Control(ADMIN_TOKEN));
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
        var built = request.build();
        if (built.headers().firstValue("Authorization").isEmpty()) {
            built = request.header("Authorization", "Bearer " + ADMIN_TOKEN).build();
        }
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofString());
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
