package dev.agentry.core.run;

/**
 * A move the transition table does not allow ({@link RunStatus#canMoveTo}, {@link StepStatus#canMoveTo}): a bug in
 * Agentry, not a passing failure. Writing the same outcome again would fail the same way, so whoever writes
 * outcomes treats it like a refused write, not like a database that is away for a moment.
 */
public final class IllegalTransition extends IllegalStateException {
    public IllegalTransition(String message) {
        super(message);
    }
}
