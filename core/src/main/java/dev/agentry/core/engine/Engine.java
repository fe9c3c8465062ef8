package dev.agentry.core.engine;

import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.PipelineDefinition;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.run.RunConflict;
import dev.agentry.core.run.RunState;
import dev.agentry.core.run.RunStatus;
import dev.agentry.core.run.StepStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The use cases: apply pipelines, start runs, and steer them (cancel, retry, re-run from a step, answer
 * decisions). Every change is one {@link RunStore#transact} over {@link RunState}; this class decides
 * what to load and what to do after, never how a status may move.
 */
public final class Engine {
    private final PipelineStore pipelines;
    private final RunStore runs;
    private final RepositoryStore repositories;
    private final Clock clock;
    private final RandomGenerator random;
    private final dev.agentry.core.agent.AgentKinds kinds;

    public Engine(PipelineStore pipelines, RunStore runs, RepositoryStore repositories, Clock clock, RandomGenerator random) {
        this(pipelines, runs, repositories, dev.agentry.core.agent.AgentKinds.withBuiltins(List.of()), clock, random);
    }

    public Engine(PipelineStore pipelines, RunStore runs, RepositoryStore repositories, dev.agentry.core.agent.AgentKinds kinds,
                  Clock clock, RandomGenerator random) {
        this.kinds = kinds;
        this.pipelines = pipelines;
        this.runs = runs;
        this.repositories = repositories;
        this.clock = clock;
        this.random = random;
    }

    // ---- pipelines ------------------------------------------------------------------------------

    /** Validates and stores a definition as a new version (or returns the latest if nothing changed). */
    public PipelineStore.Applied apply(String workspace, String source, String expectedName) {
        PipelineDefinition definition = PipelineParser.parse(source);
        if (expectedName != null && !expectedName.equals(definition.name())) {
            throw InvalidDefinition.of("name", "the definition is named '" + definition.name()
                    + "' but was applied as '" + expectedName + "'");
        }
        var unknown = new java.util.ArrayList<dev.agentry.core.pipeline.Problem>();
        var steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).action() instanceof dev.agentry.core.pipeline.StepAction.Agent a && kinds.find(a.agent()).isEmpty()) {
                unknown.add(new dev.agentry.core.pipeline.Problem("steps[" + i + "].agent", "step '" + steps.get(i).id() + "' names an unknown agent kind '" + a.agent()
                        + "'; known kinds: " + String.join(", ", kinds.all().stream().map(dev.agentry.core.agent.AgentKind::name).toList())));
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidDefinition(unknown);
        }
        return pipelines.apply(workspace, definition.name(), source, digest(source));
    }

    public PipelineVersion pipeline(String workspace, String name, Integer version) {
        PipelineVersion latest = pipelines.latest(workspace, name).orElseThrow(() ->
                new NotFound("pipeline", "no pipeline named '" + name + "' in workspace '" + workspace + "'"));
        if (version == null || version == latest.version()) {
            return latest;
        }
        return pipelines.version(workspace, name, version).orElseThrow(() -> new NotFound("version",
                "pipeline '" + name + "' has no version " + version + "; its latest is " + latest.version()));
    }

    public List<PipelineVersion> pipelines(String workspace) {
        return pipelines.list(workspace);
    }

    public List<PipelineVersion> versions(String workspace, String name) {
        return pipelines.versions(workspace, name);
    }

    // ---- runs -----------------------------------------------------------------------------------

    /** The run a start request created, or found by its idempotency key. */
    public record Started(long runId, boolean created) {}

    public Started start(String workspace, String pipeline, Integer version, Map<String, String> inputs,
                         String idempotencyKey) {
        return start(workspace, pipeline, version, inputs, idempotencyKey, null);
    }

    /**
     * Starts a run; {@code repository} names the registered repository it works on, overriding the pipeline's
     * own (null: the pipeline's, if it names one).
     */
    public Started start(String workspace, String pipeline, Integer version, Map<String, String> inputs,
                         String idempotencyKey, String repository) {
        PipelineVersion pinned = pipeline(workspace, pipeline, version);
        Map<String, String> resolved = pinned.definition().resolveInputs(inputs);
        String repo = repositoryFor(workspace, pinned.definition(), repository);
        return create(workspace, pinned, resolved, repo, idempotencyKey, null, null);
    }

    /** The repository a run works on, checked to be registered; refused when the pipeline needs one and has none. */
    private String repositoryFor(String workspace, PipelineDefinition definition, String requested) {
        String repo = requested != null ? requested : definition.repository();
        if (repo == null) {
            if (definition.needsRepository()) {
                throw InvalidDefinition.of("repository", "pipeline '" + definition.name()
                        + "' opens, checks or merges a pull request, so its runs need a repository; name one when starting the run"
                        + " or set repository in the pipeline");
            }
            return null;
        }
        if (repositories.find(workspace, repo).isEmpty()) {
            throw InvalidDefinition.of("repository", "no repository '" + repo + "' is registered in workspace '" + workspace
                    + "'; register it first (POST /api/workspaces/" + workspace + "/repositories)");
        }
        return repo;
    }

    /**
     * Starts many runs of one pipeline version in a single transaction (one commit for all of them):
     * for batches such as a wave of tasks, or a load test.
     */
    public List<Long> startBatch(String workspace, String pipeline, List<Map<String, String>> inputs) {
        PipelineVersion pinned = pipeline(workspace, pipeline, null);
        var resolved = inputs.stream().map(i -> pinned.definition().resolveInputs(i)).toList();
        String repo = repositoryFor(workspace, pinned.definition(), null);
        return runs.transact(tx -> {
            var now = clock.instant();
            int limit = pinned.definition().concurrency();
            var created = new java.util.ArrayList<RunState>();
            long[] ids = tx.reserveRunIds(resolved.size());
            int active = limit == 0 ? 0 : tx.lockAdmission(workspace, pinned.name()); // held until commit
            for (int i = 0; i < ids.length; i++) {
                var in = resolved.get(i);
                RunState run = RunState.create(ids[i], workspace, pinned.id(), pinned.definition(), in, repo, now);
                tx.create(run, null, null);
                if (limit == 0 || active < limit) {
                    run.admit(now);
                    active++;
                }
                created.add(run);
            }
            settle(tx, created);
            return created.stream().map(RunState::id).toList();
        });
    }

    /**
     * Re-runs a run from one of its steps: a new run on the same pipeline version and inputs that reuses
     * the recorded outputs of every step that succeeded and does not depend on {@code fromStep}.
     */
    public Started rerunFrom(String workspace, long sourceRunId, String fromStep, String idempotencyKey) {
        RunState source = runs.transact(tx -> tx.lock(List.of(sourceRunId))).get(sourceRunId);
        if (source == null || !source.workspace().equals(workspace)) {
            throw new NotFound("run", "no run " + sourceRunId + " in workspace '" + workspace + "'");
        }
        if (!source.status().finished()) {
            throw new RunConflict("run " + sourceRunId + " is " + source.status().wireName()
                    + "; re-run from a step once it has finished (or cancel it first)");
        }
        if (source.definition().step(fromStep).isEmpty()) {
            throw new NotFound("from", "run " + sourceRunId + " has no step '" + fromStep + "'; steps are: "
                    + String.join(", ", source.definition().steps().stream().map(s -> s.id()).toList()));
        }
        var redo = new java.util.HashSet<String>();
        redo.add(fromStep);
        for (var step : source.definition().steps()) { // topological order: descendants follow their needs
            if (step.needs().stream().anyMatch(redo::contains)) {
                redo.add(step.id());
            }
        }
        var reuse = source.steps().stream()
                .filter(s -> s.status() == StepStatus.SUCCEEDED && !redo.contains(s.stepId()))
                .toList();
        PipelineVersion pinned = pipelines.byId(source.versionId());
        return create(workspace, pinned, source.inputs(), source.repository(), idempotencyKey, sourceRunId, run -> {
            reuse.forEach(s -> run.reuse(s, sourceRunId, clock.instant()));
        });
    }

    private Started create(String workspace, PipelineVersion pinned, Map<String, String> inputs, String repository,
                           String idempotencyKey, Long rerunOf, Consumer<RunState> prepare) {
        return runs.transact(tx -> {
            var now = clock.instant();
            if (idempotencyKey != null) {
                var found = tx.runByIdempotencyKey(workspace, idempotencyKey);
                if (found.isPresent()) {
                    long id = found.get();
                    RunState existing = tx.lock(List.of(id)).get(id);
                    if (existing != null && (!existing.definition().name().equals(pinned.name()) || !existing.inputs().equals(inputs)
                            || !java.util.Objects.equals(existing.repository(), repository))) {
                        throw new RunConflict("idempotency key '" + idempotencyKey + "' was already used for run " + id
                                + " with a different pipeline, inputs or repository; use a new key for a different request");
                    }
                    return new Started(id, false);
                }
            }
            long id = tx.reserveRunIds(1)[0];
            RunState run = RunState.create(id, workspace, pinned.id(), pinned.definition(), inputs, repository, now);
            tx.create(run, idempotencyKey, rerunOf);
            if (prepare != null) {
                prepare.accept(run);
            }
            int limit = pinned.definition().concurrency();
            if (limit == 0 || tx.lockAdmission(workspace, pinned.name()) < limit) {
                run.admit(now);
            }
            settle(tx, List.of(run));
            return new Started(id, true);
        });
    }

    public void cancel(String workspace, long runId) {
        steer(workspace, runId, run -> run.cancel(clock.instant(), "canceled"));
    }

    /** Retries a failed or canceled run from its failed steps; succeeded steps are kept. */
    public void retry(String workspace, long runId) {
        runs.transact(tx -> {
            RunState run = locked(tx, workspace, runId);
            int limit = run.definition().concurrency();
            if (limit > 0 && tx.lockAdmission(workspace, run.definition().name()) >= limit) {
                throw new RunConflict("pipeline '" + run.definition().name() + "' already has " + limit
                        + " active runs (its concurrency limit); retry when one finishes");
            }
            run.retry(clock.instant());
            settle(tx, List.of(run));
            return null;
        });
    }

    public void answer(String workspace, long runId, long decisionId, boolean approve, String comment, String by) {
        steer(workspace, runId, run -> run.answer(decisionId, approve, comment, by, clock.instant()));
    }

    /** Pauses the runs that are running (a spent budget covers them); the others are left as they are. */
    public void pause(java.util.List<Long> runIds, String reason, Map<String, Object> detail) {
        runs.transact(tx -> {
            var locked = tx.lock(runIds);
            var now = clock.instant();
            locked.values().forEach(run -> run.pause(reason, detail, now));
            settle(tx, locked.values());
            return null;
        });
    }

    /** Lets a paused run go on; false when it was not paused. */
    public boolean resume(long runId, String why) {
        return runs.transact(tx -> {
            RunState run = tx.lock(List.of(runId)).get(runId);
            if (run == null || !run.resume(why, clock.instant())) {
                return false;
            }
            settle(tx, List.of(run));
            return true;
        });
    }

    private void steer(String workspace, long runId, Consumer<RunState> command) {
        runs.transact(tx -> {
            RunState run = locked(tx, workspace, runId);
            command.accept(run);
            settle(tx, List.of(run));
            return null;
        });
    }

    private static RunState locked(RunStore.Transaction tx, String workspace, long runId) {
        RunState run = tx.lock(List.of(runId)).get(runId);
        if (run == null || !run.workspace().equals(workspace)) {
            throw new NotFound("run", "no run " + runId + " in workspace '" + workspace + "'");
        }
        return run;
    }

    // ---- what nodes call ------------------------------------------------------------------------

    /** Applies attempt outcomes in one transaction; returns how many were accepted. */
    public int complete(Collection<dev.agentry.core.run.StepOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return 0;
        }
        return runs.transact(tx -> {
            var locked = tx.lock(outcomes.stream().map(o -> o.runId()).distinct().toList());
            var now = clock.instant();
            int accepted = 0;
            for (var outcome : outcomes) {
                RunState run = locked.get(outcome.runId());
                if (run != null && run.complete(outcome, now, random)) {
                    accepted++;
                }
            }
            settle(tx, locked.values());
            return accepted;
        });
    }

    /** Fires the durable timers that are due: sleeps end, approval deadlines apply their default. */
    public int fireTimers(Map<Long, List<String>> due) {
        if (due.isEmpty()) {
            return 0;
        }
        return runs.transact(tx -> {
            var locked = tx.lock(due.keySet());
            var now = clock.instant();
            int fired = 0;
            for (var entry : due.entrySet()) {
                RunState run = locked.get(entry.getKey());
                for (String step : entry.getValue()) {
                    if (run != null && run.fireTimer(step, now)) {
                        fired++;
                    }
                }
            }
            settle(tx, locked.values());
            return fired;
        });
    }

    /**
     * After the commands of a transaction: admits queued runs where finished ones freed a slot, and raises
     * the signals other nodes need.
     */
    private void settle(RunStore.Transaction tx, Collection<RunState> changed) {
        var all = new java.util.ArrayList<>(changed);
        // One admission pass per pipeline whose runs finished here and freed slots under its limit.
        var freed = new java.util.LinkedHashMap<String, RunState>();
        for (RunState run : changed) {
            if (run.definition().concurrency() > 0 && run.changed() && run.status().finished()) {
                freed.putIfAbsent(run.workspace() + "/" + run.definition().name(), run);
            }
        }
        for (RunState run : freed.values()) {
            int limit = run.definition().concurrency();
            int active = tx.lockAdmission(run.workspace(), run.definition().name());
            if (active < limit) {
                var queued = tx.queuedRuns(run.workspace(), run.definition().name(), limit - active);
                for (RunState next : tx.lock(queued).values()) {
                    if (next.status() == RunStatus.QUEUED) {
                        next.admit(clock.instant());
                        all.add(next);
                    }
                }
            }
        }
        boolean ready = false, timers = false, canceled = false;
        for (RunState run : all) {
            for (var event : run.events()) {
                switch (event.type()) {
                    case "step.ready", "step.continued", "run.resumed" -> ready = true;
                    case "step.retrying" -> {
                        ready = true;
                        timers |= ((Number) event.data().get("delayMs")).longValue() > 0;
                    }
                    case "step.started" -> timers |= event.data().containsKey("waitingFor");
                    case "run.canceled" -> canceled = true;
                    default -> { }
                }
            }
        }
        if (ready) {
            tx.signal(RunStore.Signal.WORK_READY);
        }
        if (timers) {
            tx.signal(RunStore.Signal.TIMERS_CHANGED);
        }
        if (canceled) {
            tx.signal(RunStore.Signal.RUNS_CANCELED);
        }
    }

    static String digest(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
