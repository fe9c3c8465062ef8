package dev.agentry.core.board;

import dev.agentry.core.engine.Views;
import dev.agentry.core.run.RunStatus;

/**
 * Where a task stands, derived from its pipeline, its dependencies and its latest run; never stored. Once a task
 * has a run, that run alone decides: a task someone started early is in progress whatever its dependencies say.
 */
public enum TaskStatus {
    PLANNED, READY, IN_PROGRESS, NEEDS_ATTENTION, PR_READY, DONE;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Whether a task that depends on one in this status may start: its dependency's run succeeded. */
    public boolean meetsDependents() {
        return this == DONE || this == PR_READY;
    }

    /**
     * @param latest the task's latest run, or null when it has none
     * @param dependenciesMet whether every task it depends on {@link #meetsDependents() is finished}
     */
    public static TaskStatus of(Block task, Views.RunView latest, boolean dependenciesMet) {
        if (latest == null) {
            return task.pipeline() == null || !dependenciesMet ? PLANNED : READY;
        }
        return switch (RunStatus.fromWire(latest.status())) {
            case QUEUED, RUNNING -> IN_PROGRESS;
            case NEEDS_YOU, PAUSED, FAILED, CANCELED -> NEEDS_ATTENTION;
            case SUCCEEDED -> opensPullRequestWithoutMerging(latest) ? PR_READY : DONE;
        };
    }

    private static boolean opensPullRequestWithoutMerging(Views.RunView run) {
        boolean pr = run.steps().stream().anyMatch(s -> s.outputs() != null && s.outputs().get("prUrl") != null);
        boolean merges = run.steps().stream().anyMatch(s -> "merge".equals(s.kind()));
        return pr && !merges;
    }
}
