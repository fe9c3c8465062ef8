package dev.agentry.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.server.work.PoolCatalog;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runner pools: the built-in local one and the pools registered with a manifest. */
final class PoolRoutes {
    private final PoolCatalog pools;

    PoolRoutes(PoolCatalog pools) {
        this.pools = pools;
    }

    void register(Context ctx) {
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name", "slots", "labels", "manifest");
        String name = Requests.text(body, "name", true, 63);
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "'" + Requests.abbreviate(name) + "' is not a valid pool name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        if (name.equals(PoolCatalog.LOCAL)) {
            throw ApiProblem.badRequest("name", "'local' is the built-in pool of each node; choose another name");
        }
        Integer slots = Requests.positiveInt(body, "slots");
        if (slots != null && slots > 10_000) {
            throw ApiProblem.badRequest("slots", "expected a whole number from 1 to 10000, got " + slots);
        }
        var labels = new ArrayList<String>();
        JsonNode rawLabels = body.get("labels");
        if (rawLabels != null && !rawLabels.isNull()) {
            if (!rawLabels.isArray() || rawLabels.size() > 32) {
                throw ApiProblem.badRequest("labels", "expected a list of at most 32 labels, got " + Requests.kind(rawLabels));
            }
            for (int i = 0; i < rawLabels.size(); i++) {
                JsonNode l = rawLabels.get(i);
                if (!l.isTextual() || !PipelineParser.NAME.matcher(l.asText()).matches()) {
                    throw ApiProblem.badRequest("labels[" + i + "]", "expected a label of lower-case letters, digits, '-' or '_', got " + Requests.kind(l));
                }
                labels.add(l.asText());
            }
        }
        JsonNode manifest = body.get("manifest");
        if (manifest == null || manifest.isNull()) {
            throw ApiProblem.badRequest("manifest", "required field is missing; expected the manifest as an object, or as YAML text");
        }
        if (!manifest.isObject() && !manifest.isTextual()) {
            throw ApiProblem.badRequest("manifest", "expected the manifest as an object, or as YAML text, got " + Requests.kind(manifest));
        }
        var saved = pools.register(name, slots == null ? 4 : slots, labels, manifest.isTextual() ? manifest.asText() : manifest.toString());
        HttpApi.json(ctx, 201, view(saved));
    }

    void list(Context ctx) {
        var out = new ArrayList<Map<String, Object>>();
        var local = new LinkedHashMap<String, Object>();
        local.put("name", PoolCatalog.LOCAL);
        local.put("kind", "local");
        local.put("slots", pools.localSlots());
        local.put("labels", List.of());
        local.put("default", PoolCatalog.LOCAL.equals(pools.defaultPool()));
        out.add(local);
        pools.registered().forEach(r -> out.add(view(r)));
        HttpApi.json(ctx, 200, Map.of("pools", out));
    }

    void get(Context ctx) {
        String name = ctx.pathParam("name");
        var r = pools.registered(name).orElseThrow(() -> new NotFound("name", "no pool '" + Requests.abbreviate(name) + "'"));
        var out = view(r);
        out.put("manifest", ApiJson.read(r.manifest()));
        HttpApi.json(ctx, 200, out);
    }

    void remove(Context ctx) {
        String name = ctx.pathParam("name");
        if (name.equals(PoolCatalog.LOCAL)) {
            throw new ApiProblem(409, "conflict", "The request conflicts with the current state", "the local pool is built in and cannot be removed", "name", null);
        }
        if (!pools.remove(name)) {
            throw new NotFound("name", "no pool '" + Requests.abbreviate(name) + "'");
        }
        ctx.status(204);
    }

    private Map<String, Object> view(dev.agentry.core.job.PoolRegistrations.Registration r) {
        var out = new LinkedHashMap<String, Object>();
        out.put("name", r.name());
        out.put("kind", r.kind());
        out.put("slots", r.slots());
        out.put("labels", r.labels());
        out.put("default", r.name().equals(pools.defaultPool()));
        out.put("createdAt", r.createdAt());
        return out;
    }
}
