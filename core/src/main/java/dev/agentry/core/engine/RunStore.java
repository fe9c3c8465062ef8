package dev.agentry.core.engine;

import dev.agentry.core.run.RunState;
import dev.agentry.core.run.StepOutcome;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable runs and steps. Every change the engine makes happens inside {@link #transact}: the store
 * loads the runs it is asked for with their rows locked, the engine changes them through
 * {@link RunState}, and the store writes the changed rows and their events in the same transaction.
 * Claiming work is one statement of its own ({@link #claim}).
 */
public interface RunStore {
    <T> T transact(Work<T> work);

    @FunctionalInterface
    interface Work<T> {
        T apply(Transaction tx);
    }

    /** What the engine can do inside one transaction. */
    interface Transaction {
        /** Loads and locks the given runs (missing ids are left out), in id order so that writers never deadlock. */
        Map<Long, RunState> lock(Collection<Long> runIds);

        /** Ids for runs this transaction creates (one round trip for any number). */
        long[] reserveRunIds(int count);

        /**
         * The run started in the workspace with this idempotency key, if any. Starts carrying the same key
         * wait for each other from here until commit, so a key never starts two runs.
         */
        Optional<Long> runByIdempotencyKey(String workspace, String idempotencyKey);

        /** A run created in this transaction (with a reserved id): its row, steps and events are written at commit. */
        void create(RunState run, String idempotencyKey, Long rerunOf);

        /** Takes the pipeline's admission lock and returns how many of its runs are active (running or needs-you). */
        int lockAdmission(String workspace, String pipeline);

        /** Queued runs of the pipeline, oldest first. */
        List<Long> queuedRuns(String workspace, String pipeline, int limit);

        /** Wakes idle nodes (through NOTIFY) when the transaction commits. */
        void signal(Signal signal);
    }

    /**
     * The store refused the data itself, not a passing failure (a value it cannot hold, a broken
     * constraint): the same write would fail again, however often it is retried.
     */
    final class Unrecordable extends RuntimeException {
        public Unrecordable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What nodes should look at after a commit. */
    enum Signal {
        WORK_READY, TIMERS_CHANGED, RUNS_CANCELED,
        /** Events were committed without ids: raised on the writing node only, where its sequencer runs. */
        EVENTS_WRITTEN,
        /** The event log grew: raised everywhere, through NOTIFY with the last id. */
        EVENTS_SEQUENCED;

        /** Whether other nodes hear of it through NOTIFY with its name. */
        public boolean notifiesByName() {
            return this != EVENTS_WRITTEN && this != EVENTS_SEQUENCED;
        }
    }

    /**
     * Claims up to {@code limit} ready steps that are due, for {@code owner}, in one statement: marks them
     * running with a new attempt and a lease until {@code leaseUntil}, records the attempts and their
     * {@code step.started} events.
     */
    List<Claim> claim(String owner, Claim.Scope scope, int limit, Instant now, Instant leaseUntil);

    /**
     * Extends the leases of the owner's running attempts and records each one's last sign of life (its
     * heartbeat, which liveness watches); returns those still held.
     */
    List<StepOutcome.StepRef> renewLeases(String owner, Map<StepOutcome.StepRef, Instant> held, Instant leaseUntil);

    /** Running attempts whose lease ran out before {@code now}. */
    List<StepOutcome.StepRef> expiredLeases(Instant now, int limit);

    /** Waiting steps whose timer is due: {@code runId -> stepIds}. */
    Map<Long, List<String>> dueTimers(Instant now, int limit);

    /** The earliest moment any ready or waiting step comes due, for sleeping until then. */
    Optional<Instant> nextDue();

    /** The values a step's templates can see: the run's inputs and its succeeded steps' outputs. */
    dev.agentry.core.pipeline.Template.Context templateContext(long runId);
}
