package dev.agentry.runners.harness;

import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;

/** How a job ended: {@code DONE} with a result, or {@code FAILED} with why. */
public record JobOutcome(JobView.Result result, JobView.Failure failure) {

    /** The stable words of {@link JobView.Failure#cause()} the harness reports. */
    public static final class Cause {
        /** The process ran longer than {@code timeouts.wall}. */
        public static final String TIMEOUT = "timeout";
        /** The process printed nothing for {@code timeouts.noOutput}. */
        public static final String NO_OUTPUT = "no-output";
        /** The process exited with a code other than 0. */
        public static final String EXIT = "exit";
        /** The process left changes uncommitted and the spec said {@code leftovers: FAIL}. */
        public static final String UNCOMMITTED = "uncommitted";
        /** Merging the base branch conflicts and no resolver (or a failed one) resolved it. */
        public static final String CONFLICT = "conflict";
        /** The task branch moved on the remote while the job ran; nothing was pushed. */
        public static final String BRANCH_MOVED = "branch-moved";
        /** Another job on this runner has the task branch checked out. */
        public static final String BRANCH_BUSY = "branch-busy";
        /** The process left HEAD off the task branch (detached, or on another branch). */
        public static final String BRANCH = "branch";
        /** {@code AGENTRY_OUTPUTS} could not be read. */
        public static final String OUTPUTS = "outputs";
        /** A git operation of the harness failed (fetch, push, checkout): the repository or the network. */
        public static final String GIT = "git";
        /** The harness itself failed: the work root's file system, or a fault of its own. */
        public static final String HARNESS = "harness";
        /** The job was stopped (released, or the pool closed). */
        public static final String STOPPED = "stopped";
        /** The spec cannot be run as given. */
        public static final String INVALID = "invalid";
        /** A secret's lease could not be exchanged (expired, used, or the server unreachable): the process never started. */
        public static final String SECRETS = "secrets";

        private Cause() {}
    }

    public static JobOutcome done(JobView.Result result) {
        return new JobOutcome(result, null);
    }

    public static JobOutcome failed(String cause, String message, Integer exitCode, String log) {
        return new JobOutcome(null, new JobView.Failure(message, cause, exitCode, log));
    }

    public JobState state() {
        return failure == null ? JobState.DONE : JobState.FAILED;
    }
}
