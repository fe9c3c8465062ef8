package dev.agentry.core.audit;

/** The audit log cannot record (or read) right now: the database is down, the pool is exhausted, the append failed. */
public final class AuditUnavailable extends RuntimeException {
    public AuditUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
