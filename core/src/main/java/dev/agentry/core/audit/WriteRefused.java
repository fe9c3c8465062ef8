package dev.agentry.core.audit;

/**
 * A write to the outside world that was not done because its intent could not be recorded first. Nothing left
 * Agentry: the caller may try again later (a step's attempt fails as retryable), but must not do the write another way.
 */
public final class WriteRefused extends RuntimeException {
    private final transient AuditEntry intent;

    WriteRefused(AuditEntry intent, Throwable cause) {
        super("audit log unavailable: " + reason(cause) + "; " + intent.action() + " on " + intent.target() + " was not done", cause);
        this.intent = intent;
    }

    /** The write that was not done. */
    public AuditEntry intent() {
        return intent;
    }

    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
