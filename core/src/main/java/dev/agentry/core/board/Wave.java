package dev.agentry.core.board;

import java.time.Instant;
import java.util.List;

/** A durable run of a set of tasks in dependency order, at most {@code maxParallel} of them in progress at once. */
public record Wave(long id, String workspace, int maxParallel, Status status, Instant createdAt, Instant finishedAt,
                   List<Task> tasks) {

    public enum Status {
        RUNNING, SUCCEEDED, FAILED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Status fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * A task's place in a wave. WAITING until its dependencies are finished and a slot is free, IN_PROGRESS while
     * its run has not ended, then DONE (the run succeeded) or FAILED; BLOCKED when a dependency failed or was
     * blocked, or is outside the wave and not finished when nothing else can move.
     */
    public enum TaskState {
        WAITING, IN_PROGRESS, DONE, FAILED, BLOCKED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static TaskState fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }

        public boolean finished() {
            return this == DONE || this == FAILED || this == BLOCKED;
        }
    }

    public record Task(long task, int position, TaskState state, Long run, String error) {}
}
