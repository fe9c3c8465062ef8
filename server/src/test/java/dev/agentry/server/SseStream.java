package dev.agentry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Server-Sent Events reader for tests, on the JDK's HTTP client: it parses {@code id:}, {@code event:},
 * {@code data:} and comment lines the way the SSE specification says, and queues each dispatched frame.
 */
public final class SseStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One dispatched event; {@code id} is null for frames without one (gap, cut-off). */
    public record Frame(String id, String event, String data) {
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public long number() {
            return Long.parseLong(id);
        }
    }

    public final int status;
    public final String contentType;
    private final InputStream body;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Comment lines (heartbeats) and the retry advice, as received. */
    public final List<String> comments = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    private SseStream(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.body = response.body();
        Thread.ofVirtual().start(this::read);
    }

    /** Opens {@code url}, sending {@code lastEventId} as {@code Last-Event-ID} when not null. */
    public static SseStream open(String url, String lastEventId) {
        return open(url, lastEventId, TestServer.ADMIN_TOKEN);
    }

    /** As {@link #open(String, String)}, with this token (null: none). */
    public static SseStream open(String url, String lastEventId, String token) {
        var request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseStream(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            var data = new ArrayList<String>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        frames.add(new Frame(id, event == null ? "message" : event, String.join("\n", data)));
                    }
                    id = null;
                    event = null;
                    data.clear();
                } else if (line.startsWith(":")) {
                    comments.add(line);
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data.add(value);
                        case "retry" -> comments.add("retry: " + value);
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            ended = true;
        }
    }

    /** The next frame, waiting up to {@code timeout}; fails the test if none comes. */
    public Frame next(Duration timeout) {
        try {
            Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no event within " + timeout + (ended ? " (the stream ended)" : ""));
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Frames up to and including the first that matches {@code last}. */
    public List<Frame> until(Predicate<Frame> last, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var got = new ArrayList<Frame>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeout + "; got " + got);
            }
            Frame f = next(Duration.ofNanos(left));
            got.add(f);
            if (last.test(f)) {
                return got;
            }
        }
    }

    /** Frames that arrive within {@code window}, without failing when none do. */
    public List<Frame> drain(Duration window) {
        var got = new ArrayList<Frame>();
        long deadline = System.nanoTime() + window.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Frame f = left <= 0 ? frames.poll() : frames.poll(left, TimeUnit.NANOSECONDS);
                if (f == null) {
                    return got;
                }
                got.add(f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return got;
        }
    }

    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
