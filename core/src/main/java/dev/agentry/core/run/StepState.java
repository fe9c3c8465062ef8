package dev.agentry.core.run;

import java.time.Instant;
import java.util.Map;

/**
 * The stored state of one step of one run, changed only through {@link RunState}. Mutable because it
 * lives inside one transaction; {@code changed} tells the store which rows to write back.
 */
public final class StepState {
    final String stepId;
    StepStatus status;
    /** Executions started so far (the attempt number of the latest). */
    int attempts;
    /** Failed attempts since the run was last retried: what the retry budget counts. */
    int failures;
    /** Attempts lost to expired leases in a row: a cap stops a step that kills its node from looping forever. */
    int lost;
    /** Bumped by every failed attempt; part of the idempotency key (see {@link #idempotencyKey}). */
    int keyGeneration;
    Instant readyAt;
    Instant dueAt;
    Instant startedAt;
    Instant finishedAt;
    String leaseOwner;
    Map<String, String> outputs;
    String error;
    Long decisionId;
    /** The pool that executes its next attempt; null with {@code labels} (possibly empty: the default pool). */
    String pool;
    java.util.List<String> labels;
    /** What the step learned in earlier attempts and needs in the next (a gate's checks and fixes so far). */
    Map<String, String> memo;
    boolean changed;
    /** As read from storage: a write back is conditional on the row still being so. */
    final StepStatus readStatus;
    final int readAttempts;

    public StepState(String stepId, StepStatus status, int attempts, int failures, int lost, int keyGeneration,
                     Instant readyAt, Instant dueAt, Instant startedAt, Instant finishedAt, String leaseOwner,
                     Map<String, String> outputs, String error, Long decisionId, String pool,
                     java.util.List<String> labels, Map<String, String> memo) {
        this.stepId = stepId;
        this.status = status;
        this.attempts = attempts;
        this.failures = failures;
        this.lost = lost;
        this.keyGeneration = keyGeneration;
        this.readyAt = readyAt;
        this.dueAt = dueAt;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.leaseOwner = leaseOwner;
        this.outputs = outputs == null ? Map.of() : outputs;
        this.error = error;
        this.decisionId = decisionId;
        this.pool = pool;
        this.labels = labels == null ? java.util.List.of() : java.util.List.copyOf(labels);
        this.memo = memo == null ? Map.of() : Map.copyOf(memo);
        this.readStatus = status;
        this.readAttempts = attempts;
    }

    public static StepState fresh(String stepId) {
        return new StepState(stepId, StepStatus.PENDING, 0, 0, 0, 0, null, null, null, null, null, Map.of(), null, null, null,
                java.util.List.of(), Map.of());
    }

    /**
     * The key a step passes to the outside world so that doing the same thing twice is harmless.
     * An attempt lost with its node is retried with the same key (its effect is unknown, so the retry
     * must be recognisable as the same request); an attempt that failed is retried with a new key
     * (the outside world remembered a failure, and the retry is a fresh request).
     */
    public static String idempotencyKey(long runId, String stepId, int keyGeneration) {
        return runId + ":" + stepId + ":" + (keyGeneration + 1);
    }

    void moveTo(StepStatus target) {
        if (!status.canMoveTo(target)) {
            throw new IllegalTransition("step " + stepId + " cannot move from " + status + " to " + target);
        }
        status = target;
        changed = true;
    }

    public String stepId() { return stepId; }
    public StepStatus status() { return status; }
    public int attempts() { return attempts; }
    public int failures() { return failures; }
    public int lost() { return lost; }
    public int keyGeneration() { return keyGeneration; }
    public Instant readyAt() { return readyAt; }
    public Instant dueAt() { return dueAt; }
    public Instant startedAt() { return startedAt; }
    public Instant finishedAt() { return finishedAt; }
    public String leaseOwner() { return leaseOwner; }
    public Map<String, String> outputs() { return outputs; }
    public String error() { return error; }
    public Long decisionId() { return decisionId; }
    public String pool() { return pool; }
    public java.util.List<String> labels() { return labels; }
    public Map<String, String> memo() { return memo; }
    public boolean changed() { return changed; }
    public StepStatus readStatus() { return readStatus; }
    public int readAttempts() { return readAttempts; }
}
