package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.http.ApiJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Follows the server's event stream (Server-Sent Events) for as long as its reader wants. Frames are read
 * as the SSE format defines them: {@code field: value} lines up to a blank line, several {@code data:}
 * lines joined, comment lines (heartbeats) skipped, and an {@code id:} that counts only once its frame is
 * complete. When the server cuts the stream off or the connection drops, it reconnects by itself after a
 * short pause, sending the last id seen as {@code Last-Event-ID}: the server replays from there, so the
 * reader gets every event once, in id order.
 */
final class EventStream {
    /**
     * One event as the stream sent it.
     *
     * @param id   its position in the event log; null for control frames, which are not in the log
     * @param data its JSON, one line: the event in the log's schema
     */
    record Frame(Long id, String type, String data) {
        JsonNode json() {
            try {
                return ApiJson.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new ApiClient.Failure("the server sent an event that is not JSON: " + (data.length() > 200 ? data.substring(0, 200) + "…" : data), 1);
            }
        }
    }

    /** What to do with each event; answers whether to go on following. */
    interface Reader {
        boolean accept(Frame event) throws InterruptedException;
    }

    /** The first pause before reconnecting; it doubles while reconnecting fails, up to the server's advice. */
    private static final long FIRST_PAUSE_MILLIS = 250;

    private final ApiClient api;
    private final String path;
    private final Map<String, String> query;
    private final boolean fleet;
    /** What the stream says about itself: the connection lost, found again, events missed. */
    private final Consumer<String> notes;
    /** The id of the last complete frame that had one: where a reconnect resumes. */
    private Long lastId;
    /** How long the server advises waiting before reconnecting ({@code retry:}). */
    private long retryMillis = 2_000;

    /**
     * @param path  the stream's path under the workspace (or under {@code /api} with {@code fleet})
     * @param since the id to resume after; null to start from now (with a snapshot, if the filter takes them)
     */
    EventStream(ApiClient api, String path, Map<String, String> query, boolean fleet, Long since, PrintWriter err) {
        this(api, path, query, fleet, since, message -> {
            err.println("agentry: " + message);
            err.flush();
        });
    }

    /** As above, with what the stream says about itself handed to {@code notes} instead of printed. */
    EventStream(ApiClient api, String path, Map<String, String> query, boolean fleet, Long since, Consumer<String> notes) {
        this.api = api;
        this.path = path;
        this.query = query;
        this.fleet = fleet;
        this.lastId = since;
        this.notes = notes;
    }

    private enum End { STOPPED, CUT_OFF, CLOSED }

    /**
     * Follows the stream until the reader says stop. A first connection that fails is a {@link ApiClient.Failure};
     * once connected, a server that goes away is waited for.
     *
     * @throws InterruptedException when the thread is interrupted (Ctrl-C), which also drops the connection
     */
    void follow(Reader reader) throws InterruptedException {
        boolean connectedOnce = false;
        boolean lost = false;
        int failures = 0;
        while (true) {
            Stream<String> connection = null;
            try {
                connection = api.lines(path, query, fleet, lastId);
            } catch (ApiClient.Failure f) {
                // Before the first connection, and when the server refuses the request, there is nothing to wait for.
                if (!connectedOnce || (f.status != 0 && f.status < 500)) {
                    throw f;
                }
                lost = lost(lost, f.getMessage());
            }
            End end = End.CLOSED;
            if (connection != null) {
                if (lost) {
                    note("reconnected" + (lastId == null ? "" : ", resuming after event " + lastId));
                }
                connectedOnce = true;
                failures = 0;
                try (var lines = connection) {
                    end = read(lines.iterator(), reader);
                    lost = end == End.CLOSED && lost(false, "the server closed it");
                } catch (UncheckedIOException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException();
                    }
                    lost = lost(false, reason(e));
                }
            }
            switch (end) {
                case STOPPED -> {
                    return;
                }
                case CUT_OFF -> Thread.sleep(FIRST_PAUSE_MILLIS); // the server asked us to resume: not a failure
                case CLOSED -> {
                    Thread.sleep(Math.min(retryMillis, FIRST_PAUSE_MILLIS << Math.min(failures, 10)));
                    failures++;
                }
            }
        }
    }

    /** The innermost cause of a broken connection, which is the one that says what happened. */
    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** Says once that the stream was lost (not again for each reconnect that fails); answers true. */
    private boolean lost(boolean alreadySaid, String why) {
        if (!alreadySaid) {
            note("lost the event stream (" + why + "); reconnecting" + (lastId == null ? "" : " to resume after event " + lastId));
        }
        return true;
    }

    /** Reads frames off one connection until it ends, the reader stops, or the server cuts it off. */
    private End read(Iterator<String> lines, Reader reader) throws InterruptedException {
        String type = null;
        StringBuilder data = null;
        String id = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            if (line.isEmpty()) { // a blank line ends a frame
                if (id != null && !id.isEmpty()) {
                    lastId = parseId(id);
                }
                boolean ownId = id != null;
                var frame = data == null ? null : new Frame(ownId ? lastId : null, type == null ? "message" : type, data.toString());
                type = null;
                data = null;
                id = null;
                if (frame == null) {
                    continue; // no data: nothing to hand on (a frame of only an id or a retry)
                }
                switch (frame.type()) {
                    case "gap" -> note("events were missed: " + frame.json().path("detail").asText(frame.data()));
                    case "cut-off" -> {
                        note("the server cut the stream off (" + frame.json().path("reason").asText("no reason given")
                                + "); resuming" + (lastId == null ? "" : " after event " + lastId));
                        return End.CUT_OFF;
                    }
                    default -> {
                        if (!reader.accept(frame)) {
                            return End.STOPPED;
                        }
                    }
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue; // a comment: the server's heartbeat
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
            switch (field) {
                case "event" -> type = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                case "id" -> id = value.indexOf('\0') >= 0 ? id : value;
                case "retry" -> {
                    if (value.matches("\\d{1,9}")) {
                        retryMillis = Long.parseLong(value);
                    }
                }
                default -> { } // unknown fields are ignored, as the format says
            }
        }
        return End.CLOSED;
    }

    private static Long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiClient.Failure("the server sent an event id that is not a number: " + id, 1);
        }
    }

    private void note(String message) {
        notes.accept(message);
    }
}
