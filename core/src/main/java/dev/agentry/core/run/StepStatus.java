package dev.agentry.core.run;

import java.util.EnumSet;
import java.util.Set;

/** Where a step of a run is, and the only moves between statuses that Agentry makes. */
public enum StepStatus {
    /** Some step it needs has not finished. */
    PENDING,
    /** Queued for a node to claim, possibly not before a backoff delay ({@code due_at}). */
    READY,
    /** Claimed by a node under a lease and executing. */
    RUNNING,
    /** Settled by the engine, not a node: a decision or a durable timer. */
    WAITING,
    SUCCEEDED,
    FAILED,
    SKIPPED,
    CANCELED;

    public Set<StepStatus> next() {
        return switch (this) {
            // PENDING -> SUCCEEDED: a re-run reuses the checkpoint of a step that succeeded in the source run
            case PENDING -> EnumSet.of(READY, WAITING, SKIPPED, CANCELED, SUCCEEDED);
            case READY -> EnumSet.of(RUNNING, CANCELED);
            // RUNNING -> READY is a retry after a failed or lost attempt; RUNNING -> WAITING an agent asking a human
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, READY, WAITING, CANCELED);
            // WAITING -> READY: an agent's question was answered and the agent goes on
            case WAITING -> EnumSet.of(SUCCEEDED, FAILED, READY, CANCELED);
            // a run retried from its failed step resets what did not succeed
            case FAILED, CANCELED, SKIPPED -> EnumSet.of(PENDING);
            case SUCCEEDED -> EnumSet.noneOf(StepStatus.class);
        };
    }

    public boolean canMoveTo(StepStatus target) {
        return next().contains(target);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELED;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    public static StepStatus fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
