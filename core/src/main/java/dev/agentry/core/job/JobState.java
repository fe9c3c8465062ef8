package dev.agentry.core.job;

/**
 * Where a job is. Runners report the first four; {@code LOST} is what an adapter concludes when the
 * runner vanished (the job is unknown to it, or the scheduler evicted, preempted or OOM-killed it): the
 * attempt fails as lost and the step is retried on a fresh runner.
 */
public enum JobState {
    QUEUED, RUNNING, DONE, FAILED, LOST;

    public boolean finished() {
        return this == DONE || this == FAILED || this == LOST;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    public static JobState fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
