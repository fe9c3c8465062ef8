package dev.agentry.core.run;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a run is in its life, and the only moves between statuses that Agentry makes.
 * Every status change of a run goes through {@link #canMoveTo}.
 */
public enum RunStatus {
    /** Accepted, waiting for a slot under the pipeline's concurrency limit. */
    QUEUED,
    /** Steps are ready, running or waiting on timers. */
    RUNNING,
    /** Waiting on a decision from a human. */
    NEEDS_YOU,
    /** Held by a spent budget: no step starts and no model call is made until the budget allows again. */
    PAUSED,
    SUCCEEDED,
    FAILED,
    CANCELED;

    public Set<RunStatus> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, CANCELED);
            case RUNNING -> EnumSet.of(NEEDS_YOU, PAUSED, SUCCEEDED, FAILED, CANCELED);
            case NEEDS_YOU -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELED);
            case PAUSED -> EnumSet.of(RUNNING, CANCELED);
            // retry from the failed step brings a finished run back
            case FAILED, CANCELED -> EnumSet.of(RUNNING);
            case SUCCEEDED -> EnumSet.noneOf(RunStatus.class);
        };
    }

    public boolean canMoveTo(RunStatus target) {
        return next().contains(target);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }

    /** The spelling used in the API, the database and events: {@code needs-you}, {@code succeeded}. */
    public String wireName() {
        return name().toLowerCase().replace('_', '-');
    }

    public static RunStatus fromWire(String s) {
        for (var status : values()) {
            if (status.wireName().equals(s)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown run status '" + s + "'");
    }
}
