package dev.agentry.server.http;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;

/** Decisions waiting on people, and their answers. */
final class DecisionRoutes {
    private static final Set<String> STATUSES = Set.of("pending", "approved", "rejected", "expired", "canceled");

    private final Engine engine;
    private final RunQueries queries;

    DecisionRoutes(Engine engine, RunQueries queries) {
        this.engine = engine;
        this.queries = queries;
    }

    void list(Context ctx) {
        String status = ctx.queryParamAsClass("status", String.class).getOrDefault("pending");
        if (!status.equals("all") && !STATUSES.contains(status)) {
            throw ApiProblem.badRequest("status", "unknown status '" + Requests.abbreviate(status)
                    + "'; expected pending, approved, rejected, expired, canceled or all");
        }
        Integer limit = Requests.queryInt(ctx, "limit", 1, 500);
        HttpApi.json(ctx, 200, Map.of("items", queries.decisions(ctx.pathParam("workspace"),
                status.equals("all") ? null : status, limit == null ? 100 : limit)));
    }

    void get(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        HttpApi.json(ctx, 200, find(ws, id));
    }

    void answer(Context ctx, boolean approve) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, true);
        Requests.allowOnly(body, "comment", "by");
        String comment = Requests.text(body, "comment", false, 4000);
        String by = Requests.text(body, "by", false, 200);
        var decision = find(ws, id);
        engine.answer(ws, decision.run(), id, approve, comment, by);
        HttpApi.json(ctx, 200, find(ws, id));
    }

    /** An agent's question answered in words: the agent goes on with the answer (for an approval, it approves). */
    void reply(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "answer", "by");
        String answer = Requests.text(body, "answer", true, 20_000);
        if (answer.isBlank()) {
            throw ApiProblem.badRequest("answer", "the answer is empty; to decline the question, reject it");
        }
        String by = Requests.text(body, "by", false, 200);
        var decision = find(ws, id);
        engine.answer(ws, decision.run(), id, true, answer, by);
        HttpApi.json(ctx, 200, find(ws, id));
    }

    private dev.agentry.core.engine.Views.DecisionView find(String ws, long id) {
        return queries.decision(ws, id).orElseThrow(() -> new NotFound("id", "no decision " + id + " in workspace '" + ws + "'"));
    }
}
