package dev.agentry.core.engine;

import dev.agentry.core.exec.StepOutput;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.core.job.RunnerPools;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.run.GateMemo;
import dev.agentry.core.run.StepOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims ready steps for this node, pool by pool, up to each pool's free slots, and starts them: a
 * {@code noop} completes on the spot, a command (and a gate's fixer or resolver) runs as a job on its pool,
 * an agent runs in the node (inline kinds) or as a job, and pull request steps call the forge. Outcomes go to the {@link Completer}; a slot is freed, and a
 * finished job released on its pool, once the outcome is committed.
 */
final class Dispatcher extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final NodeSettings settings;
    private final RunStore runs;
    private final PipelineStore pipelines;
    private final Completer completer;
    private final Clock clock;
    private final StreamOutput output;
    private final RunnerPools pools;
    private final Jobs jobs;
    private final ForgeSteps forgeSteps;
    private final AgentSteps agentSteps;
    /** Free slots per pool on this node, made when the pool is first seen (again if its slots change). */
    private final Map<String, PoolSlots> slots = new ConcurrentHashMap<>();
    /** What this node is executing now; the lease renewer keeps these alive and stops lost ones. */
    final Map<StepOutcome.StepRef, Running> running = new ConcurrentHashMap<>();

    private record PoolSlots(int size, Semaphore free) {}

    /** An attempt in progress here. */
    static final class Running {
        final Claim claim;
        /** What its job prints; made only for attempts that run a job (a tail buffer per no-op would cost). */
        volatile StepOutput output;
        /** The slots it holds; given back when its outcome is committed. */
        final Semaphore slot;
        volatile boolean lost;
        /** Whether a lost attempt's job is stopped too: yes when canceled, no when this node merely stops. */
        volatile boolean stopJob = true;
        /** The job it runs on a pool, once dispatched. */
        volatile RunnerPool jobPool;
        volatile String jobId;
        /** What takes the workspace's secrets out of the job's output, and the stream that does it. */
        volatile dev.agentry.core.secret.Redactor redactor;
        volatile dev.agentry.core.secret.Redactor.Stream redacting;
        /** When it last showed a sign of life other than output (started, progress, the runner's heartbeat). */
        volatile Instant progressedAt;
        private volatile Map<String, Object> progress;
        private Map<String, Object> lastProgress;
        /** Held while its output is taken and appended, so chunks reach the log in order. */
        final java.util.concurrent.locks.ReentrantLock streaming = new java.util.concurrent.locks.ReentrantLock();

        Running(Claim claim, Instant startedAt, Semaphore slot) {
            this.claim = claim;
            this.slot = slot;
            this.progressedAt = startedAt;
        }

        /** Its heartbeat: when it started, last printed, or last reported progress. */
        Instant lastSignOfLife() {
            Instant last = progressedAt;
            var out = output;
            Instant printed = out == null ? null : out.lastOutputAt();
            return printed != null && printed.isAfter(last) ? printed : last;
        }

        /** The job's progress as its pool reports it; passed on only when it changed (pools repeat the latest). */
        void reportProgress(Map<String, Object> progress, Instant at) {
            if (progress.equals(lastProgress)) {
                return;
            }
            lastProgress = progress;
            this.progress = progress;
            this.progressedAt = at;
        }

        /** Progress reported since the last call, or null. */
        Map<String, Object> takeProgress() {
            var p = progress;
            progress = null;
            return p;
        }
    }

    Dispatcher(NodeSettings settings, RunStore runs, PipelineStore pipelines, Completer completer, StreamOutput output,
               Integrations integrations, Clock clock) {
        this.settings = settings;
        this.runs = runs;
        this.pipelines = pipelines;
        this.completer = completer;
        this.output = output;
        this.clock = clock;
        this.pools = integrations.pools();
        this.jobs = new Jobs(runs, integrations, clock);
        this.forgeSteps = new ForgeSteps(runs, integrations);
        this.agentSteps = new AgentSteps(runs, pipelines, integrations.agents(), jobs, clock);
    }

    @Override
    protected Duration runOnce() {
        for (var pool : pools.current()) {
            Semaphore free = slotsOf(pool);
            var scope = new Claim.Scope(pool.name(), pool.labels(), pool.isDefault());
            while (true) {
                int permits = free.availablePermits();
                if (permits == 0) {
                    break; // a finishing attempt wakes us
                }
                var now = clock.instant();
                var claims = runs.claim(settings.name(), scope, permits, now, now.plus(settings.lease()));
                for (Claim claim : claims) {
                    free.acquireUninterruptibly();
                    var entry = new Running(claim, now, free);
                    running.put(claim.ref(), entry);
                    execute(entry);
                }
                if (claims.size() < permits) {
                    break;
                }
            }
        }
        return settings.pollInterval();
    }

    private Semaphore slotsOf(RunnerPools.Pool pool) {
        return slots.compute(pool.name(), (name, current) -> current != null && current.size() == pool.slots()
                ? current : new PoolSlots(pool.slots(), new Semaphore(pool.slots()))).free();
    }

    /** Called once the outcomes of these attempts are committed (or refused). */
    void released(Iterable<StepOutcome> outcomes) {
        int n = 0;
        for (var outcome : outcomes) {
            var entry = running.remove(new StepOutcome.StepRef(outcome.runId(), outcome.stepId(), outcome.attempt(), outcome.owner()));
            if (entry != null) {
                entry.slot.release();
                n++;
                // Released only now: a node that died before this commit left the job for the retry to adopt.
                if (entry.jobId != null && !(outcome instanceof StepOutcome.Expired)) {
                    jobs.release(entry);
                }
            }
        }
        if (n > 0) {
            wake();
        }
    }

    private void execute(Running entry) {
        Claim claim = entry.claim;
        StepDefinition step;
        try {
            step = pipelines.byId(claim.versionId()).definition().requireStep(claim.stepId());
        } catch (RuntimeException e) {
            completer.submit(StepOutcome.failed(claim.ref(), "pipeline version " + claim.versionId() + " is unreadable: " + e.getMessage(), null, null));
            return;
        }
        if (step.action() instanceof StepAction.Noop) {
            completer.submit(StepOutcome.succeeded(claim.ref(), Map.of(), null, null));
            return;
        }
        entry.output = new StepOutput(settings.logCapacity(), settings.streamLimit(), 256 * 1024, clock);
        Thread.ofVirtual().name("step-" + claim.runId() + "-" + claim.stepId()).start(() -> {
            StepOutcome outcome;
            try {
                outcome = outcome(entry, step);
            } catch (RuntimeException e) {
                log.warn("step {} of run {} failed unexpectedly", claim.stepId(), claim.runId(), e);
                outcome = StepOutcome.failed(claim.ref(), "Agentry could not execute the step: " + e, null, null);
            }
            if (entry.lost) {
                // Stopped because the attempt is no longer ours (run canceled, lease lost) or this node is shutting
                // down: it did not fail on its own, so it must not spend the retry budget or get a new idempotency
                // key. Reported as expired: refused if the run moved on, else retried at once by any node.
                outcome = StepOutcome.expired(claim.ref());
            }
            completer.submit(outcome);
        });
    }

    private StepOutcome outcome(Running entry, StepDefinition step) {
        Claim claim = entry.claim;
        return switch (step.action()) {
            case StepAction.Command c -> finishJob(entry, jobs.run(entry, step, c, dev.agentry.core.job.JobSpec.COMMAND, output));
            case StepAction.Gate g when g.check() == StepAction.GateCheck.CONFLICTS ->
                    finishJob(entry, jobs.run(entry, step, g.fix() == null ? new StepAction.Command("", Map.of()) : g.fix(),
                            dev.agentry.core.job.JobSpec.SYNC_BASE, output));
            case StepAction.Gate g when GateMemo.of(claim.memo()).fixing() -> {
                var fixed = finishJob(entry, jobs.run(entry, step, g.fix(), dev.agentry.core.job.JobSpec.COMMAND, output));
                if (fixed instanceof StepOutcome.Succeeded s) {
                    var memo = GateMemo.of(claim.memo()).fixed();
                    yield StepOutcome.continued(claim.ref(), g.pollEvery(), memo.toMap(),
                            "fixer ran (" + memo.fixes() + " of " + g.maxFixes() + "); checking again", s.log());
                }
                yield fixed;
            }
            case StepAction.Agent a -> finishJob(entry, agentSteps.run(entry, step, a, output));
            case StepAction.OpenPullRequest o -> forgeSteps.open(claim, step, o);
            case StepAction.Gate g -> forgeSteps.checkCi(claim, g);
            case StepAction.Merge m -> forgeSteps.merge(claim, m);
            default -> StepOutcome.failed(claim.ref(), step.action().kind() + " steps are not executed by nodes", null, null);
        };
    }

    /** The last of a job's output is in the log before its outcome. */
    private StepOutcome finishJob(Running entry, StepOutcome outcome) {
        output.flush(entry);
        return outcome;
    }

    /**
     * The attempt is no longer ours (canceled, lease taken over) or this node is stopping: stop waiting for
     * it, and stop its job when {@code stopJob} (a node that merely stops leaves remote jobs for the retry).
     */
    void lose(StepOutcome.StepRef ref, boolean stopJob) {
        Running entry = running.get(ref);
        if (entry == null) {
            return;
        }
        entry.stopJob = stopJob;
        entry.lost = true;
        if (stopJob && entry.jobId != null) {
            jobs.release(entry);
        }
    }
}
