package dev.agentry.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.board.Block;
import dev.agentry.core.board.BlockKind;
import dev.agentry.core.board.Board;
import dev.agentry.core.board.BoardStore;
import dev.agentry.core.board.Wave;
import dev.agentry.core.board.WaveStore;
import dev.agentry.core.engine.NotFound;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The board: blocks and their dependency edges, starting tasks, planning and running waves. */
final class BoardRoutes {
    private static final int MAX_NAME = 200;
    private static final int MAX_DESCRIPTION = 20_000;
    private static final int RECENT_WAVES = 50;

    private final Board board;
    private final WaveStore waves;
    private final Runnable wavesChanged;

    BoardRoutes(Board board, WaveStore waves, Runnable wavesChanged) {
        this.board = board;
        this.waves = waves;
        this.wavesChanged = wavesChanged;
    }

    record BlockView(long id, String kind, Long parent, String name, String description, String repository,
                     String pipeline, List<Long> dependsOn, String status, Long latestRun, Instant createdAt) {}

    static BlockView view(Board.BlockView v) {
        Block b = v.block();
        return new BlockView(b.id(), b.kind().wireName(), b.parent(), b.name(), b.description(), b.repository(), b.pipeline(),
                b.dependsOn(), v.status() == null ? null : v.status().wireName(), v.latestRun(), b.createdAt());
    }

    void create(Context ctx) {
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "kind", "parent", "name", "description", "repository", "pipeline");
        var kind = BlockKind.fromWire(Requests.text(body, "kind", true, 20));
        var fields = new BoardStore.Fields(kind, id(body, "parent"), Requests.text(body, "name", true, MAX_NAME),
                orEmpty(Requests.text(body, "description", false, MAX_DESCRIPTION)), Requests.text(body, "repository", false, 200),
                Requests.text(body, "pipeline", false, 200));
        HttpApi.json(ctx, 201, view(board.create(ws(ctx), fields)));
    }

    void list(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", board.views(ws(ctx)).stream().map(BoardRoutes::view).toList()));
    }

    void get(Context ctx) {
        HttpApi.json(ctx, 200, view(board.view(ws(ctx), Requests.pathId(ctx, "id"))));
    }

    /** Changes only the fields the body names; {@code null} clears parent, repository or pipeline. */
    void update(Context ctx) {
        long id = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "parent", "name", "description", "repository", "pipeline");
        Block b = board.block(ws(ctx), id);
        var fields = new BoardStore.Fields(b.kind(),
                body.has("parent") ? id(body, "parent") : b.parent(),
                body.has("name") ? Requests.text(body, "name", true, MAX_NAME) : b.name(),
                body.has("description") ? orEmpty(Requests.text(body, "description", false, MAX_DESCRIPTION)) : b.description(),
                body.has("repository") ? Requests.text(body, "repository", false, 200) : b.repository(),
                body.has("pipeline") ? Requests.text(body, "pipeline", false, 200) : b.pipeline());
        HttpApi.json(ctx, 200, view(board.update(ws(ctx), id, fields)));
    }

    void delete(Context ctx) {
        board.delete(ws(ctx), Requests.pathId(ctx, "id"));
        ctx.status(204);
    }

    void addEdge(Context ctx) {
        long from = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "dependsOn");
        Long to = id(body, "dependsOn");
        if (to == null) {
            throw ApiProblem.badRequest("dependsOn", "required field is missing");
        }
        board.addEdge(ws(ctx), from, to);
        HttpApi.json(ctx, 201, view(board.view(ws(ctx), from)));
    }

    void removeEdge(Context ctx) {
        board.removeEdge(ws(ctx), Requests.pathId(ctx, "id"), Requests.pathId(ctx, "dependsOn"));
        ctx.status(204);
    }

    /** Starts the task's pipeline; an {@code Idempotency-Key} header makes a retried request start it once. */
    void startTask(Context ctx) {
        long id = Requests.pathId(ctx, "id");
        var started = board.start(ws(ctx), id, ctx.header("Idempotency-Key"));
        HttpApi.json(ctx, started.created() ? 201 : 200, Map.of("run", started.runId(), "created", started.created(),
                "task", view(board.view(ws(ctx), id))));
    }

    record PlanView(int maxParallel, List<List<Long>> layers, List<List<Long>> waves, Map<Long, List<Long>> blockedBy) {}

    void plan(Context ctx) {
        var request = waveRequest(ctx);
        var plan = board.plan(ws(ctx), request.tasks(), request.maxParallel());
        HttpApi.json(ctx, 200, new PlanView(request.maxParallel(), plan.layers(), plan.waves(), plan.blockedBy()));
    }

    void startWave(Context ctx) {
        var request = waveRequest(ctx);
        var plan = board.plan(ws(ctx), request.tasks(), request.maxParallel());
        var ordered = plan.layers().stream().flatMap(List::stream).toList();
        var wave = waves.create(ws(ctx), request.maxParallel(), ordered);
        wavesChanged.run();
        HttpApi.json(ctx, 201, view(wave));
    }

    void getWave(Context ctx) {
        long id = Requests.pathId(ctx, "id");
        var wave = waves.find(ws(ctx), id).orElseThrow(() -> new NotFound("id", "no wave " + id + " in this workspace"));
        HttpApi.json(ctx, 200, view(wave));
    }

    /** The most recent waves, newest first: the board links to them, since nothing else names a wave's id. */
    void listWaves(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", waves.recent(ws(ctx), RECENT_WAVES).stream().map(BoardRoutes::view).toList()));
    }

    record WaveTaskView(long task, String status, Long run, String error) {}

    record WaveView(long id, String status, int maxParallel, List<WaveTaskView> tasks, Instant createdAt, Instant finishedAt) {}

    static WaveView view(Wave w) {
        return new WaveView(w.id(), w.status().wireName(), w.maxParallel(), w.tasks().stream()
                .map(t -> new WaveTaskView(t.task(), t.state().wireName(), t.run(), t.error())).toList(), w.createdAt(),
                w.finishedAt());
    }

    private record WaveRequest(List<Long> tasks, int maxParallel) {}

    private static WaveRequest waveRequest(Context ctx) {
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "tasks", "maxParallel");
        JsonNode tasks = body.get("tasks");
        if (tasks == null || !tasks.isArray() || tasks.isEmpty()) {
            throw ApiProblem.badRequest("tasks", "expected a non-empty array of task ids");
        }
        var ids = new ArrayList<Long>();
        for (int i = 0; i < tasks.size(); i++) {
            JsonNode t = tasks.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToLong() || t.asLong() < 1) {
                throw ApiProblem.badRequest("tasks[" + i + "]", "expected a task id, got " + Requests.kind(t));
            }
            if (ids.contains(t.asLong())) {
                throw ApiProblem.badRequest("tasks[" + i + "]", "task " + t.asLong() + " is named twice");
            }
            ids.add(t.asLong());
        }
        Integer max = Requests.positiveInt(body, "maxParallel");
        return new WaveRequest(List.copyOf(ids), max == null ? 1 : max);
    }

    private static Long id(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            throw ApiProblem.badRequest(field, "expected a block id, got " + Requests.kind(v));
        }
        return v.asLong();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String ws(Context ctx) {
        return ctx.pathParam("workspace");
    }
}
