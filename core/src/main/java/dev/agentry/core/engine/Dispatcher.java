package dev.agentry.core.engine;

import dev.agentry.core.exec.CommandRunner;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
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
 * Claims ready steps for this node, up to its free slots, and starts them. A {@code noop} completes on
 * the spot; a {@code command} runs on a virtual thread of its own. Outcomes go to the {@link Completer};
 * a slot is freed once the outcome is committed.
 */
final class Dispatcher extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final NodeSettings settings;
    private final RunStore runs;
    private final PipelineStore pipelines;
    private final Completer completer;
    private final CommandRunner commands;
    private final Clock clock;
    private final StreamOutput output;
    private final Semaphore slots;
    /** What this node is executing now; the lease renewer keeps these alive and stops lost ones. */
    final Map<StepOutcome.StepRef, Running> running = new ConcurrentHashMap<>();

    /** An attempt in progress here; {@code execution} is null for steps that finish at once. */
    static final class Running {
        final Claim claim;
        volatile CommandRunner.Execution execution;
        volatile boolean lost;
        /** When it last reported progress (output counts too: see {@link #lastSignOfLife}). */
        volatile Instant progressedAt;
        /** Held while its output is taken and appended, so chunks reach the log in order. */
        final java.util.concurrent.locks.ReentrantLock streaming = new java.util.concurrent.locks.ReentrantLock();

        Running(Claim claim, Instant startedAt) {
            this.claim = claim;
            this.progressedAt = startedAt;
        }

        /** Its heartbeat: when it started, last printed, or last reported progress. */
        Instant lastSignOfLife() {
            Instant last = progressedAt;
            var e = execution;
            Instant printed = e == null ? null : e.output().lastOutputAt();
            return printed != null && printed.isAfter(last) ? printed : last;
        }
    }

    Dispatcher(NodeSettings settings, RunStore runs, PipelineStore pipelines, Completer completer, StreamOutput output,
               Clock clock) {
        this.settings = settings;
        this.runs = runs;
        this.pipelines = pipelines;
        this.completer = completer;
        this.output = output;
        this.clock = clock;
        this.slots = new Semaphore(settings.slots());
        this.commands = new CommandRunner(settings.workRoot(), settings.logCapacity(), settings.streamLimit(), clock);
    }

    @Override
    protected Duration runOnce() {
        while (true) {
            int free = slots.availablePermits();
            if (free == 0) {
                return settings.pollInterval(); // a finishing attempt wakes us
            }
            var now = clock.instant();
            var claims = runs.claim(settings.name(), free, now, now.plus(settings.lease()));
            for (Claim claim : claims) {
                slots.acquireUninterruptibly();
                running.put(claim.ref(), new Running(claim, now));
                execute(claim);
            }
            if (claims.size() < free) {
                return settings.pollInterval();
            }
        }
    }

    /** Stops commands left running by an earlier process of this node's machine that was killed. */
    int stopOrphans() {
        return commands.stopOrphans();
    }

    /** Called once the outcomes of these attempts are committed (or refused). */
    void released(Iterable<StepOutcome> outcomes) {
        int n = 0;
        for (var outcome : outcomes) {
            if (running.remove(new StepOutcome.StepRef(outcome.runId(), outcome.stepId(), outcome.attempt(), outcome.owner())) != null) {
                n++;
            }
        }
        if (n > 0) {
            slots.release(n);
            wake();
        }
    }

    private void execute(Claim claim) {
        StepDefinition step;
        try {
            step = pipelines.byId(claim.versionId()).definition().requireStep(claim.stepId());
        } catch (RuntimeException e) {
            completer.submit(StepOutcome.failed(claim.ref(), "pipeline version " + claim.versionId() + " is unreadable: " + e.getMessage(), null, null));
            return;
        }
        switch (step.action()) {
            case StepAction.Noop n -> completer.submit(StepOutcome.succeeded(claim.ref(), Map.of(), null, null));
            case StepAction.Command c -> Thread.ofVirtual().name("step-" + claim.runId() + "-" + claim.stepId())
                    .start(() -> completer.submit(runCommand(claim, step)));
            default -> completer.submit(StepOutcome.failed(claim.ref(), step.action().kind() + " steps are not executed by nodes", null, null));
        }
    }

    private StepOutcome runCommand(Claim claim, StepDefinition step) {
        Running entry = running.get(claim.ref());
        try {
            var context = runs.templateContext(claim.runId());
            var execution = commands.start(claim, step, context);
            entry.execution = execution;
            output.wake();
            if (entry.lost) {
                execution.stop();
            }
            StepOutcome outcome = execution.await(claim.ref(), step.timeout());
            output.flush(entry); // the last of its output is in the log before its outcome
            // Stopped because the attempt is no longer ours (run canceled, lease lost) or this node is shutting
            // down: it did not fail on its own, so it must not spend the retry budget or get a new idempotency
            // key. Reported as expired: refused if the run moved on, else retried at once by any node.
            return entry.lost ? StepOutcome.expired(claim.ref()) : outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StepOutcome.failed(claim.ref(), "interrupted", null, null);
        } catch (Exception e) {
            log.warn("step {} of run {} could not start: {}", claim.stepId(), claim.runId(), e.toString());
            return StepOutcome.failed(claim.ref(), "could not start the command: " + e.getMessage(), null, null);
        }
    }

    /** The attempt is no longer ours (canceled, lease taken over) or this node is stopping: stop it. */
    void lose(StepOutcome.StepRef ref) {
        Running entry = running.get(ref);
        if (entry == null) {
            return;
        }
        entry.lost = true;
        var execution = entry.execution;
        if (execution != null) {
            Thread.ofVirtual().start(execution::stop);
        }
    }
}
