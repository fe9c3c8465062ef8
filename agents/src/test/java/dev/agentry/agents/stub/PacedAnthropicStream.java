package dev.agentry.agents.stub;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An Anthropic provider that streams its first event at once and holds the rest until {@link #release()}: the
 * scripted server writes a stream in one go, so tests that show a stream passing through before it ends use this.
 */
public final class PacedAnthropicStream implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;

    /** Starts it; the stream's usage is {@code inputTokens} in and {@code outputTokens} out. */
    public PacedAnthropicStream(int inputTokens, int outputTokens) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/messages", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"role\":\"assistant\","
                        + "\"usage\":{\"input_tokens\":" + inputTokens + ",\"output_tokens\":1}}}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                release.await(10, TimeUnit.SECONDS);
                out.write(("event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":" + outputTokens
                        + "}}\n\n").getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Lets the rest of the stream go. */
    public void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
