package dev.agentry.core.spend;

/** Whether a model call may go ahead under the budgets that cover it. */
public sealed interface Admission {
    record Admitted() implements Admission {}

    /** A budget is spent: the call must not reach the provider, and the runs it covers are paused. */
    record Refused(String reason) implements Admission {}

    Admitted ADMITTED = new Admitted();
}
