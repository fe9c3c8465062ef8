package dev.agentry.core.run;

/**
 * How one execution of a step ended. {@code EXPIRED} means the node executing it stopped renewing its
 * lease (it died or lost the database); whatever the attempt did outside may or may not have happened.
 * {@code LOST} means the runner executing its job vanished (evicted, preempted, killed, unknown to its pool).
 * {@code CONTINUED} means the attempt did its part and the step goes on in a later one (a gate between checks).
 */
public enum AttemptStatus {
    RUNNING, SUCCEEDED, FAILED, EXPIRED, LOST, CONTINUED, CANCELED;

    public String wireName() {
        return name().toLowerCase();
    }
}
