package dev.agentry.agents.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local model API for tests: a real HTTP server on 127.0.0.1 and a free port that answers a script of
 * {@link Scripted} answers, in order, in the wire format of whichever API was called:
 * <ul>
 *   <li>Anthropic Messages at {@code POST /v1/messages} (base URL {@link #anthropicBaseUrl()});</li>
 *   <li>OpenAI Chat Completions at {@code POST /v1/chat/completions} (base URL {@link #openAiBaseUrl()}).</li>
 * </ul>
 * A request with {@code "stream": true} gets server-sent events with each API's real event sequence. Every request
 * is recorded, including the ones that hang or find the script empty. When the script runs out the server answers
 * 500 saying so, in the API's error format.
 *
 * <pre>{@code
 * try (var server = ScriptedModelServer.start()) {
 *     server.reply(Scripted.error(429).header("retry-after", "1"),
 *                  Scripted.toolCall("read_file", "{\"path\":\"a.txt\"}"),
 *                  Scripted.text("done").usage(100, 20, 50, 0));
 *     // point a client at server.anthropicBaseUrl() or server.openAiBaseUrl() …
 *     assertThat(server.requestCount()).isEqualTo(3);
 *     assertThat(server.requests().get(2).json().at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
 * }
 * }</pre>
 */
public final class ScriptedModelServer implements AutoCloseable {
    private static final String ANTHROPIC_PATH = "/v1/messages";
    private static final String OPENAI_PATH = "/v1/chat/completions";

    private final HttpServer http;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final CopyOnWriteArrayList<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private ScriptedModelServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /** Starts a server on 127.0.0.1 and a free port, with an empty script. */
    public static ScriptedModelServer start() {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ScriptedModelServer server = new ScriptedModelServer(http, executor);
            http.createContext("/", server::handle);
            http.setExecutor(executor);
            http.start();
            return server;
        } catch (IOException e) {
            executor.close();
            throw new UncheckedIOException("the scripted model server could not start", e);
        }
    }

    /** Adds answers to the end of the script. */
    public ScriptedModelServer reply(Scripted... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** The base URL as the Anthropic SDK takes it (it adds {@code /v1/messages}). */
    public String anthropicBaseUrl() {
        return baseUrl();
    }

    /** The base URL as the OpenAI SDK takes it (it adds {@code /chat/completions}). */
    public String openAiBaseUrl() {
        return baseUrl() + "/v1";
    }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /** The most recent request; fails when there was none. */
    public RecordedRequest lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("the scripted model server has received no request");
        }
        return requests.getLast();
    }

    /** Forgets the answers no request took, so one test's leftovers cannot answer the next test's calls. */
    public int clear() {
        int left = script.size();
        script.clear();
        return left;
    }

    /** How many scripted answers are still waiting for a request. */
    public int remaining() {
        return script.size();
    }

    @Override
    public void close() {
        closed.countDown();
        http.stop(0);
        executor.shutdownNow();
    }

    // ---- serving

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            RecordedRequest request = record(exchange);
            Wire wire = switch (request.path()) {
                case ANTHROPIC_PATH -> new Wire.Anthropic();
                case OPENAI_PATH -> new Wire.OpenAi();
                default -> null;
            };
            if (wire == null || !request.method().equals("POST")) {
                send(exchange, 404, Map.of(), "application/json",
                        "{\"error\":{\"type\":\"not_found_error\",\"message\":\"the scripted model server serves POST "
                                + ANTHROPIC_PATH + " and POST " + OPENAI_PATH + ", not " + request.method() + " "
                                + request.path() + "\"}}");
                return;
            }
            Scripted answer = script.poll();
            if (answer == null) {
                answer = Scripted.error(500).message("the scripted model server's script ran out: request #"
                        + requests.size() + " to " + request.path() + " has no answer");
            }
            answer(exchange, wire, answer, request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RecordedRequest record(HttpExchange exchange) throws IOException {
        Instant received = Instant.now();
        long nanos = System.nanoTime();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonNode json;
        try {
            json = body.isBlank() ? null : Wire.JSON.readTree(body);
        } catch (IOException notJson) {
            json = null;
        }
        RecordedRequest request = new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                headers, body, json, received, nanos);
        requests.add(request);
        return request;
    }

    private void answer(HttpExchange exchange, Wire wire, Scripted answer, RecordedRequest request)
            throws IOException, InterruptedException {
        if (!answer.delay().isZero() && closed.await(answer.delay().toMillis(), TimeUnit.MILLISECONDS)) {
            return;
        }
        int sequence = answered.incrementAndGet();
        switch (answer.kind()) {
            case HANG -> closed.await();
            case ERROR -> send(exchange, answer.status(), answer.headers(), "application/json", wire.error(answer));
            case MALFORMED -> {
                if (request.streaming()) {
                    stream(exchange, answer.headers(), List.of(
                            "event: message_start\ndata: <html>upstream proxy error</html>\n\n",
                            "data: <html>upstream proxy error</html>\n\n"));
                } else {
                    send(exchange, 200, answer.headers(), "application/json",
                            "<html><body>upstream proxy error: this is not the API's JSON</body></html>");
                }
            }
            case REPLY -> {
                if (request.streaming()) {
                    stream(exchange, answer.headers(), wire.events(answer, request.json(), sequence));
                } else {
                    send(exchange, 200, answer.headers(), "application/json",
                            wire.reply(answer, request.json(), sequence));
                }
            }
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String contentType,
                             String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("content-type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void stream(HttpExchange exchange, Map<String, String> headers, List<String> events)
            throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("content-type", "text/event-stream");
        exchange.getResponseHeaders().set("cache-control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String event : events) {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }
}
