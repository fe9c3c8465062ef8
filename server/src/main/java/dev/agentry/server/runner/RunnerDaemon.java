package dev.agentry.server.runner;

import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.runners.local.LocalPool;
import dev.agentry.runners.protocol.JobJson;
import dev.agentry.server.http.ApiProblem;
import dev.agentry.server.http.HttpApi;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

/**
 * {@code agentry runner}: executes jobs for Agentry servers on this machine, over version 1 of the job
 * protocol (docs/job-protocol.md), with the same harness as the local pool. Every call but {@code /healthz}
 * needs the runner's bearer token. Jobs live in memory: a runner that is killed forgets them, and the server
 * sees them as lost and retries them elsewhere.
 */
public final class RunnerDaemon implements AutoCloseable {
    private static final long MAX_SPEC_BYTES = 4 << 20;
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final LocalPool pool;
    private final byte[] token;
    private final int slots;
    private Javalin http;

    public RunnerDaemon(LocalPool pool, int slots, String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("the runner token must be at least 16 characters");
        }
        this.pool = pool;
        this.slots = slots;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    public RunnerDaemon start(String host, int port) {
        http = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = MAX_SPEC_BYTES;
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            var r = config.routes;
            r.get("/healthz", ctx -> HttpApi.json(ctx, 200, Map.of("status", "ok", "slots", slots)));
            r.before("/jobs*", this::authorize);
            r.post("/jobs", this::dispatch);
            r.get("/jobs/{id}", this::poll);
            r.delete("/jobs/{id}", this::release);
            r.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
            r.exception(InvalidDefinition.class, (e, ctx) -> HttpApi.problem(ctx, new ApiProblem(422, "invalid-job",
                    "The job spec is not valid", e.getMessage(), e.problems().isEmpty() ? "" : e.problems().get(0).field(), e.problems())));
            r.exception(Exception.class, (e, ctx) -> HttpApi.problem(ctx, new ApiProblem(500, "internal", "Internal error",
                    "the runner could not handle the request: " + e.getClass().getSimpleName(), "", null)));
        }).start();
        return this;
    }

    public int port() {
        return http.port();
    }

    private void authorize(Context ctx) {
        String given = ctx.header("Authorization");
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiProblem(401, "unauthorized", "Unauthorized", "a valid bearer token is required", "Authorization", null);
        }
    }

    private void dispatch(Context ctx) throws RunnerPool.PoolUnavailable {
        var spec = JobJson.decodeSpec(ctx.body());
        JobView view = pool.dispatch(spec);
        HttpApi.json(ctx, view.state() == JobState.QUEUED || view.state() == JobState.RUNNING ? 202 : 200,
                Map.of("jobId", view.jobId(), "state", view.state().wireName()));
    }

    private void poll(Context ctx) throws RunnerPool.PoolUnavailable {
        long waitMs = number(ctx, "waitMs", 0, MAX_WAIT.toMillis());
        long from = number(ctx, "outputFrom", 0, Long.MAX_VALUE);
        JobView view = pool.poll(ctx.pathParam("id"), Duration.ofMillis(waitMs), from);
        if (view.state() == JobState.LOST) {
            throw new ApiProblem(404, "not-found", "Not found", "no job '" + ctx.pathParam("id") + "' on this runner", "id", null);
        }
        ctx.status(200).contentType("application/json").result(JobJson.encode(view));
    }

    private void release(Context ctx) throws RunnerPool.PoolUnavailable {
        pool.release(ctx.pathParam("id"));
        ctx.status(204);
    }

    private static long number(Context ctx, String name, long min, long max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return min;
        }
        try {
            long n = Long.parseLong(raw.trim());
            return Math.max(min, Math.min(max, n));
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name, "expected a whole number, got '" + (raw.length() > 40 ? raw.substring(0, 40) + "..." : raw) + "'");
        }
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop();
        }
        pool.close();
    }
}
