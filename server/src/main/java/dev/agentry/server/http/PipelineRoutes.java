package dev.agentry.server.http;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.PipelineVersion;
import dev.agentry.core.pipeline.Durations;
import dev.agentry.core.pipeline.InputSpec;
import dev.agentry.core.pipeline.PipelineParser;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Applying and reading pipeline definitions. */
final class PipelineRoutes {
    private final Engine engine;

    PipelineRoutes(Engine engine) {
        this.engine = engine;
    }

    record StepSummary(String id, String kind, List<String> needs, String when, Integer maxAttempts, String timeout) {}

    record PipelineView(String name, int version, String description, Map<String, InputSpec> inputs,
                        List<StepSummary> steps, Integer concurrency, String digest, Instant createdAt,
                        Boolean created, String source) {}

    static PipelineView view(PipelineVersion v, Boolean created, boolean withSource) {
        var d = v.definition();
        var steps = d.steps().stream().map(s -> new StepSummary(s.id(), s.action().kind(), s.needs(), s.when().wireName(),
                s.retry().maxAttempts() > 1 ? s.retry().maxAttempts() : null,
                s.timeout() == null ? null : Durations.format(s.timeout()))).toList();
        return new PipelineView(v.name(), v.version(), d.description(), d.inputs(), steps,
                d.concurrency() == 0 ? null : d.concurrency(), v.digest(), v.createdAt(), created, withSource ? v.source() : null);
    }

    /** The body is the definition itself, YAML or JSON. */
    void apply(Context ctx) {
        var applied = engine.apply(ctx.pathParam("workspace"), ctx.body(), null);
        HttpApi.json(ctx, applied.created() ? 201 : 200, view(applied.version(), applied.created(), false));
    }

    void list(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", engine.pipelines(ctx.pathParam("workspace")).stream()
                .map(v -> view(v, null, false)).toList()));
    }

    void get(Context ctx) {
        HttpApi.json(ctx, 200, view(engine.pipeline(ctx.pathParam("workspace"), name(ctx), null), null, true));
    }

    void versions(Context ctx) {
        String name = name(ctx);
        engine.pipeline(ctx.pathParam("workspace"), name, null); // 404 for an unknown name
        HttpApi.json(ctx, 200, Map.of("items", engine.versions(ctx.pathParam("workspace"), name).stream()
                .map(v -> view(v, null, false)).toList()));
    }

    void version(Context ctx) {
        long requested = Requests.pathId(ctx, "version");
        if (requested > Integer.MAX_VALUE) { // no such version, and clamping it would name the wrong one
            throw new NotFound("version", "pipeline '" + name(ctx) + "' has no version " + requested);
        }
        HttpApi.json(ctx, 200, view(engine.pipeline(ctx.pathParam("workspace"), name(ctx), (int) requested), null, true));
    }

    private static String name(Context ctx) {
        String name = ctx.pathParam("name");
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "'" + Requests.abbreviate(name) + "' is not a pipeline name");
        }
        return name;
    }
}
