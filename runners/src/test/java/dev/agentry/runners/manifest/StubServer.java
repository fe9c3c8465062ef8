package dev.agentry.runners.manifest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A scheduler stand-in on a real socket (loopback, port 0): answers with a handler and records every request. */
final class StubServer implements AutoCloseable {

    record Request(String method, String path, String rawPath, String rawQuery, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        Map<String, String> query() {
            return form(rawQuery);
        }

        /** The body read as application/x-www-form-urlencoded. */
        Map<String, String> formBody() {
            return form(body);
        }
    }

    static Map<String, String> form(String encoded) {
        var q = new LinkedHashMap<String, String>();
        if (encoded != null && !encoded.isEmpty()) {
            for (String pair : encoded.split("&")) {
                String[] kv = pair.split("=", 2);
                q.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    record Response(int status, String contentType, String body) {
        static Response json(int status, String body) {
            return new Response(status, "application/json", body);
        }

        static Response problem(int status, String title, String detail) {
            return new Response(status, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
        }

        static Response empty(int status) {
            return new Response(status, null, "");
        }
    }

    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Handler handler;

    private StubServer(Handler handler) throws IOException {
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
    }

    static StubServer start(Handler handler) throws IOException {
        return new StubServer(handler);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void handler(Handler handler) {
        this.handler = handler;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request last() {
        return requests.get(requests.size() - 1);
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            var headers = new LinkedHashMap<String, List<String>>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var request = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(), headers, body);
            requests.add(request);
            Response response;
            try {
                response = handler.handle(request);
            } catch (Exception e) {
                response = Response.problem(500, "stub failed", String.valueOf(e.getMessage()).replace('"', '\''));
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            if (response.contentType() != null) {
                ex.getResponseHeaders().set("Content-Type", response.contentType());
            }
            if (bytes.length == 0) {
                ex.sendResponseHeaders(response.status(), -1);
            } else {
                ex.sendResponseHeaders(response.status(), bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            // the client went away (a timeout test): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
