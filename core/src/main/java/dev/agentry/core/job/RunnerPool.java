package dev.agentry.core.job;

import java.time.Duration;

/**
 * Where jobs execute: the local pool on this machine, Agentry runner daemons, or any scheduler described by
 * a manifest. Calls are idempotent by job id, and an adapter never throws for a job's own failure: that is
 * a {@link JobView} in state {@code FAILED} (or {@code LOST} when the runner vanished).
 */
public interface RunnerPool extends AutoCloseable {

    /** Starts the job, or returns it as it is if a job with that id was dispatched before. */
    JobView dispatch(JobSpec spec) throws PoolUnavailable;

    /**
     * The job's state. Waits up to {@code wait} for it to finish or print something past {@code outputFrom}
     * (a long poll), and returns output from that offset.
     */
    JobView poll(String jobId, Duration wait, long outputFrom) throws PoolUnavailable;

    /** Stops the job if it runs and forgets it. Harmless for an unknown id. */
    void release(String jobId) throws PoolUnavailable;

    @Override
    default void close() {}

    /**
     * The pool could not be reached or answered nonsense: the job's fate is unknown, so the caller tries
     * again later rather than failing the attempt.
     */
    final class PoolUnavailable extends Exception {
        public PoolUnavailable(String message) {
            super(message);
        }

        public PoolUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
