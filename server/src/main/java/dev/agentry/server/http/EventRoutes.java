package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agentry.core.event.Delivery;
import dev.agentry.core.event.EventFilter;
import dev.agentry.core.event.EventHub;
import dev.agentry.core.event.EventLog;
import dev.agentry.core.event.LoggedEvent;
import dev.agentry.core.event.Snapshot;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event log over HTTP: a Server-Sent Events stream per workspace and for the fleet (snapshot, then
 * live events, resumable by {@code Last-Event-ID}), and an NDJSON export.
 */
final class EventRoutes {
    /** How long a client should wait before reconnecting, sent as the stream's {@code retry:} advice. */
    static final int RETRY_MILLIS = 2_000;
    private static final int FLUSH_BYTES = 64 * 1024;

    private final EventHub hub;
    private final EventLog log;
    private final Duration heartbeat;

    EventRoutes(EventHub hub, EventLog log, Duration heartbeat) {
        this.hub = hub;
        this.log = log;
        this.heartbeat = heartbeat;
    }

    /** The filter a request asks for: {@code ?type=} (repeatable, comma-separated) and {@code ?run=}. */
    static EventFilter filter(Context ctx, String workspace) {
        var types = new ArrayList<String>();
        for (String t : ctx.queryParams("type")) {
            for (String one : t.split(",")) {
                if (!one.isBlank()) {
                    types.add(one.trim());
                }
            }
        }
        Long run = Requests.queryRunId(ctx);
        try {
            return new EventFilter(workspace, run, types);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("type", e.getMessage());
        }
    }

    /** Where a client resumes: {@code Last-Event-ID} (what EventSource sends on reconnect) wins over {@code ?since=}. */
    static Long since(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        if (header != null && !header.isBlank()) {
            return Requests.queryLong("Last-Event-ID", header);
        }
        return Requests.queryLong("since", ctx.queryParam("since"));
    }

    void workspaceStream(Context ctx) throws IOException {
        stream(ctx, filter(ctx, ctx.pathParam("workspace")));
    }

    void fleetStream(Context ctx) throws IOException {
        stream(ctx, filter(ctx, null));
    }

    private void stream(Context ctx, EventFilter filter) throws IOException {
        Long since = since(ctx);
        ctx.status(200);
        ctx.contentType("text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        OutputStream out = ctx.res().getOutputStream();
        try (var subscription = hub.subscribe(filter, since)) {
            write(out, "retry: " + RETRY_MILLIS + "\n: agentry event stream\n\n");
            out.flush();
            while (true) {
                Delivery next = subscription.next(heartbeat);
                if (next == null) {
                    write(out, ": heartbeat\n\n");
                    out.flush();
                    continue;
                }
                // Send whatever else is ready with it, then flush once.
                int written = 0;
                while (next != null) {
                    written += next instanceof Delivery.Event e ? write(out, e.event().sseFrame()) : write(out, frame(next, filter.workspace()));
                    if (next instanceof Delivery.CutOff || written >= FLUSH_BYTES) {
                        break;
                    }
                    next = subscription.next(Duration.ZERO);
                }
                out.flush();
                if (next instanceof Delivery.CutOff) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One delivery as an SSE frame: events carry their id, so a reconnect resumes after the last one seen. */
    static String frame(Delivery delivery, String workspace) {
        return switch (delivery) {
            case Delivery.Event e -> new String(e.event().sseFrame(), StandardCharsets.UTF_8);
            case Delivery.State s -> "id: " + s.snapshot().position() + "\nevent: snapshot\ndata: " + snapshotJson(s.snapshot(), workspace) + "\n\n";
            case Delivery.Gap g -> "event: gap\ndata: " + json(gapBody(g)) + "\n\n";
            case Delivery.CutOff c -> "event: cut-off\ndata: " + json(cutOffBody(c)) + "\n\n";
        };
    }

    /** The snapshot in the one event schema: its id is the log position it reflects. */
    static String snapshotJson(Snapshot s, String workspace) {
        var data = new LinkedHashMap<String, Object>();
        data.put("position", s.position());
        data.put("runs", s.runs());
        data.put("decisions", s.decisions());
        data.put("attention", s.attention());
        if (s.truncated()) {
            data.put("truncated", true);
        }
        var event = new LinkedHashMap<String, Object>();
        event.put("id", s.position());
        event.put("ts", s.generatedAt());
        if (workspace != null) {
            event.put("workspace", workspace);
        }
        event.put("type", LoggedEvent.SNAPSHOT);
        event.put("data", data);
        return json(event);
    }

    static Map<String, Object> gapBody(Delivery.Gap g) {
        var body = new LinkedHashMap<String, Object>();
        body.put("status", 410);
        body.put("type", "urn:agentry:problem:events-gone");
        body.put("requested", g.requested());
        body.put("oldest", g.oldest());
        body.put("detail", g.detail());
        return body;
    }

    static Map<String, Object> cutOffBody(Delivery.CutOff c) {
        var body = new LinkedHashMap<String, Object>();
        body.put("reason", c.reason());
        body.put("resumeAfter", c.resumeAfter());
        body.put("detail", "reconnect with Last-Event-ID: " + c.resumeAfter() + " to continue where this stream stopped");
        return body;
    }

    /**
     * The log as NDJSON, one event per line, oldest first: {@code ?since=} (exclusive), {@code ?type=},
     * {@code ?run=}. Asking for ids that retention removed is a 410, so an export never silently has a hole.
     */
    void workspaceExport(Context ctx) throws IOException {
        export(ctx, filter(ctx, ctx.pathParam("workspace")));
    }

    void fleetExport(Context ctx) throws IOException {
        export(ctx, filter(ctx, null));
    }

    private void export(Context ctx, EventFilter filter) throws IOException {
        Long asked = since(ctx);
        long since = asked == null ? log.position().prunedThrough() : asked; // no since: all that is kept
        var first = log.read(since, filter, 1_000);
        if (first.position().prunedThrough() > since) {
            throw new ApiProblem(410, "events-gone", "Those events are no longer kept",
                    "events up to " + first.position().prunedThrough() + " are past the log's retention; export with since="
                            + first.position().prunedThrough() + " or later", ctx.header("Last-Event-ID") != null ? "Last-Event-ID" : "since", null);
        }
        ctx.status(200);
        ctx.contentType("application/x-ndjson");
        OutputStream out = ctx.res().getOutputStream();
        long until = first.position().last(); // a consistent end: what was in the log when the export began
        var page = first;
        while (true) {
            long last = since;
            for (LoggedEvent e : page.events()) {
                if (e.id() > until) {
                    out.flush();
                    return;
                }
                write(out, e.json() + "\n");
                last = e.id();
            }
            out.flush();
            if (page.events().size() < 1_000) {
                return;
            }
            since = last;
            page = log.read(since, filter, 1_000);
        }
    }

    void streams(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("streams", hub.streams(), "position", hub.position()));
    }

    private static int write(OutputStream out, String text) throws IOException {
        return write(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static int write(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        return bytes.length;
    }

    static String json(Object value) {
        try {
            return ApiJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}
