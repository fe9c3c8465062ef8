package dev.agentry.core.run;

/**
 * How one execution of a step ended. {@code EXPIRED} means the node executing it stopped renewing its
 * lease (it died or lost the database); whatever the attempt did outside may or may not have happened.
 */
public enum AttemptStatus {
    RUNNING, SUCCEEDED, FAILED, EXPIRED, CANCELED;

    public String wireName() {
        return name().toLowerCase();
    }
}
