package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The server's checkpoint endpoint, in a local HTTP server on port 0, keeping one attempt's checkpoint. */
final class FakeGateway implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String token;
    private final ArrayNode messages = JSON.createArrayNode();
    private final List<JsonNode> puts = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private Integer turn;
    private String patch;
    volatile int failNext;

    FakeGateway(String token) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/agentry/v1/checkpoint", this::handle);
        // the workspace's policy: allows every command here (ServerCommandPolicyTest covers refusals)
        server.createContext("/agentry/v1/policy", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"verdict\":\"allow\",\"by\":\"no policy\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized List<JsonNode> puts() {
        return List.copyOf(puts);
    }

    synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            if (failNext > 0) {
                failNext--;
                respond(exchange, 503, "{\"detail\":\"busy\"}");
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"detail\":\"unknown run token\"}");
                return;
            }
            switch (exchange.getRequestMethod()) {
                case "GET" -> {
                    if (turn == null) {
                        exchange.sendResponseHeaders(204, -1);
                        return;
                    }
                    ObjectNode body = JSON.createObjectNode();
                    body.put("turn", turn);
                    body.set("messages", messages.deepCopy());
                    body.put("patch", patch);
                    respond(exchange, 200, body.toString());
                }
                case "PUT" -> {
                    JsonNode body = JSON.readTree(exchange.getRequestBody());
                    puts.add(body);
                    turn = body.get("turn").asInt();
                    body.get("messages").forEach(messages::add);
                    patch = body.get("patch").isNull() ? null : body.get("patch").asText();
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> respond(exchange, 405, "{}");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
