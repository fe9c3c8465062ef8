package dev.agentry.server.http;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.engine.Views;
import dev.agentry.core.event.EventFilter;
import dev.agentry.core.event.EventLog;
import dev.agentry.core.run.RunStatus;
import io.javalin.http.Context;
import java.util.Map;

/** Starting, reading and steering runs. */
final class RunRoutes {
    private static final int MAX_KEY = 200;

    private final Engine engine;
    private final RunQueries queries;
    private final EventLog events;

    RunRoutes(Engine engine, RunQueries queries, EventLog events) {
        this.events = events;
        this.engine = engine;
        this.queries = queries;
    }

    void start(Context ctx) {
        String ws = ctx.pathParam("workspace");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "pipeline", "version", "inputs", "idempotencyKey", "repository");
        String pipeline = Requests.text(body, "pipeline", true, 200);
        Integer version = Requests.positiveInt(body, "version");
        var inputs = Requests.inputs(body, "inputs");
        String key = idempotencyKey(ctx, body);
        String repository = Requests.text(body, "repository", false, 63);
        var started = engine.start(ws, pipeline, version, inputs, key, repository);
        HttpApi.json(ctx, started.created() ? 201 : 200, run(ws, started.runId()));
    }

    void list(Context ctx) {
        String status = ctx.queryParam("status");
        if (status != null) {
            try {
                RunStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("status", "unknown status '" + Requests.abbreviate(status)
                        + "'; expected queued, running, needs-you, paused, succeeded, failed or canceled");
            }
        }
        Integer limit = Requests.queryInt(ctx, "limit", 1, 500);
        String cursor = ctx.queryParam("cursor");
        Long before = null;
        if (cursor != null && !cursor.isEmpty()) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("cursor", "not a cursor returned by this API");
            }
        }
        String pipeline = Requests.storable("pipeline", ctx.queryParam("pipeline"));
        var page = queries.runs(new RunQueries.RunFilter(ctx.pathParam("workspace"), pipeline, status,
                limit == null ? 50 : limit, before));
        HttpApi.json(ctx, 200, page);
    }

    void get(Context ctx) {
        HttpApi.json(ctx, 200, run(ctx.pathParam("workspace"), Requests.pathId(ctx, "id")));
    }

    void cancel(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        run(ws, id); // an unknown run is reported against the path's id, as on every run route
        engine.cancel(ws, id);
        HttpApi.json(ctx, 200, run(ws, id));
    }

    void retry(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        run(ws, id); // an unknown run is reported against the path's id, as on every run route
        engine.retry(ws, id);
        HttpApi.json(ctx, 200, run(ws, id));
    }

    void rerun(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "from", "idempotencyKey");
        String from = Requests.text(body, "from", true, 200);
        run(ws, id); // an unknown run is reported against the path's id, as on every run route
        var started = engine.rerunFrom(ws, id, from, idempotencyKey(ctx, body));
        HttpApi.json(ctx, started.created() ? 201 : 200, run(ws, started.runId()));
    }

    void step(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        String stepId = ctx.pathParam("step");
        var run = queries.run(ws, id).orElseThrow(() -> new NotFound("id", "no run " + id + " in workspace '" + ws + "'"));
        var step = run.steps().stream().filter(s -> s.id().equals(stepId)).findFirst()
                .orElseThrow(() -> new NotFound("step", "run " + id + " has no step '" + Requests.abbreviate(stepId) + "'"));
        HttpApi.json(ctx, 200, Map.of("run", id, "step", step, "attempts", queries.attempts(ws, id, stepId)));
    }

    void logs(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        String step = ctx.queryParam("step");
        var run = queries.run(ws, id).orElseThrow(() -> new NotFound("id", "no run " + id + " in workspace '" + ws + "'"));
        if (step != null && run.steps().stream().noneMatch(s -> s.id().equals(step))) {
            throw new NotFound("step", "run " + id + " has no step '" + Requests.abbreviate(step) + "'");
        }
        var items = new java.util.ArrayList<>(queries.logs(ws, id, step));
        for (var s : run.steps()) {
            if (s.status().equals("running") && (step == null || step.equals(s.id()))) {
                items.add(new Views.LogView(id, s.id(), s.attempts(), "running", outputSoFar(ws, id, s.id(), s.attempts())));
            }
        }
        HttpApi.json(ctx, 200, Map.of("items", items));
    }

    /** What a running attempt has printed so far: its step.log events (the tail of it, when it printed a lot). */
    private String outputSoFar(String ws, long run, String step, int attempt) {
        var text = new StringBuilder();
        for (var e : events.forRun(ws, run, step, LOG, 0, 100_000)) {
            if (e.attempt() != null && e.attempt() == attempt) {
                try {
                    text.append(ApiJson.MAPPER.readTree(e.data()).path("text").asText());
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    throw new IllegalStateException("a stored step.log event is not JSON", ex);
                }
            }
        }
        if (text.length() > RUNNING_LOG_CHARS) {
            return "[... " + (text.length() - RUNNING_LOG_CHARS) + " earlier characters left out ...]\n"
                    + text.substring(text.length() - RUNNING_LOG_CHARS);
        }
        return text.toString();
    }

    private static final EventFilter LOG = new EventFilter(null, null, java.util.List.of("step.log"));
    private static final int RUNNING_LOG_CHARS = 1 << 20;

    private Object run(String ws, long id) {
        return queries.run(ws, id).orElseThrow(() -> new NotFound("id", "no run " + id + " in workspace '" + ws + "'"));
    }

    /** From the body, or the conventional {@code Idempotency-Key} header. */
    private static String idempotencyKey(Context ctx, com.fasterxml.jackson.databind.JsonNode body) {
        String key = Requests.text(body, "idempotencyKey", false, MAX_KEY);
        if (key == null) {
            key = ctx.header("Idempotency-Key");
            if (key != null && (key.isBlank() || key.length() > MAX_KEY)) {
                throw ApiProblem.badRequest("Idempotency-Key", "expected 1 to " + MAX_KEY + " characters");
            }
        }
        return key;
    }
}
