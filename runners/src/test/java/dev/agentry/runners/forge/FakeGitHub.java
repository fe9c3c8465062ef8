package dev.agentry.runners.forge;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A GitHub Enterprise API on a local port ({@code http://127.0.0.1:PORT/api/v3}) that answers what a test told
 * it to, with GitHub's status codes, headers and JSON, and keeps every request it got for the test to check.
 */
final class FakeGitHub implements AutoCloseable {
    static final String PREFIX = "/api/v3";

    /** A request as it arrived: method, path below the API prefix with its raw query, headers, body. */
    record Request(String method, String target, Headers headers, String body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private record Reply(int status, String body, String[] headers) {}

    private final HttpServer server;
    private final Map<String, Deque<Reply>> replies = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeGitHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI api() {
        return URI.create(base() + PREFIX);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Answers {@code method target} (a path below the prefix, with its query as sent) with the status, JSON body
     * and header name/value pairs. Several answers for one target are given in turn, the last one from then on.
     */
    FakeGitHub on(String method, String target, int status, String json, String... headers) {
        replies.computeIfAbsent(method + " " + target, k -> new ArrayDeque<>()).add(new Reply(status, json, headers));
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String target = uri.getRawPath().substring(Math.min(PREFIX.length(), uri.getRawPath().length()))
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), target, exchange.getRequestHeaders(), body));
            Deque<Reply> queue = replies.get(exchange.getRequestMethod() + " " + target);
            Reply reply;
            if (!uri.getRawPath().startsWith(PREFIX) || queue == null) {
                reply = new Reply(404, """
                        {"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}""",
                        new String[0]);
            } else {
                synchronized (queue) {
                    reply = queue.size() > 1 ? queue.poll() : queue.peek();
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set("X-GitHub-Media-Type", "github.v3; format=json");
            for (int i = 0; i + 1 < reply.headers().length; i += 2) {
                exchange.getResponseHeaders().add(reply.headers()[i], reply.headers()[i + 1]);
            }
            byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
