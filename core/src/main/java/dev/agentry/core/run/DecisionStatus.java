package dev.agentry.core.run;

/** A decision is pending until a human answers it, its deadline passes, or its run is canceled. */
public enum DecisionStatus {
    PENDING, APPROVED, REJECTED, EXPIRED, CANCELED;

    public String wireName() {
        return name().toLowerCase();
    }
}
