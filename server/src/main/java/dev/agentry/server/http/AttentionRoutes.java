package dev.agentry.server.http;

import dev.agentry.core.engine.AttentionStore;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.Views;
import io.javalin.http.Context;
import java.util.Map;

/** Attention items: listed, read, and resolved by people. */
final class AttentionRoutes {
    private final AttentionStore attention;

    AttentionRoutes(AttentionStore attention) {
        this.attention = attention;
    }

    void list(Context ctx) {
        String status = ctx.queryParamAsClass("status", String.class).getOrDefault("open");
        if (!status.equals("open") && !status.equals("resolved") && !status.equals("all")) {
            throw ApiProblem.badRequest("status", "unknown status '" + Requests.abbreviate(status) + "'; expected open, resolved or all");
        }
        Integer limit = Requests.queryInt(ctx, "limit", 1, 500);
        Long run = Requests.queryRunId(ctx);
        HttpApi.json(ctx, 200, Map.of("items", attention.list(ctx.pathParam("workspace"), status.equals("all") ? null : status,
                run, limit == null ? 100 : limit)));
    }

    void get(Context ctx) {
        HttpApi.json(ctx, 200, find(ctx.pathParam("workspace"), Requests.pathId(ctx, "id")));
    }

    void resolve(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        var body = Requests.object(ctx, true);
        Requests.allowOnly(body, "note", "by");
        String note = Requests.text(body, "note", false, 4000);
        String by = Requests.text(body, "by", false, 200);
        var resolved = attention.resolve(ws, id, by == null ? "someone" : by, note)
                .orElseThrow(() -> notFound(ws, id));
        HttpApi.json(ctx, 200, resolved);
    }

    private Views.AttentionView find(String ws, long id) {
        return attention.get(ws, id).orElseThrow(() -> notFound(ws, id));
    }

    private static NotFound notFound(String ws, long id) {
        return new NotFound("id", "no attention item " + id + " in workspace '" + ws + "'");
    }
}
