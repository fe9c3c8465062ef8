package dev.agentry.core.run;

/** A command that does not fit the run's current state (cancel a finished run, answer a settled decision). */
public final class RunConflict extends RuntimeException {
    public RunConflict(String message) {
        super(message);
    }
}
