package dev.agentry.agents.model;

/** A model call that did not produce a reply, after the adapter's own retries. */
public final class ModelCallFailed extends Exception {
    public enum Reason {
        /** The gateway refused the call because a budget is spent: the run is paused, not failed. */
        BUDGET,
        /** The key or run token was refused (401/403). */
        UNAUTHORIZED,
        /** The provider kept answering 429 or 5xx, or did not answer in time. */
        UNAVAILABLE,
        /** The provider refused the request itself (400, 404, 413, 422 …). */
        REJECTED,
        /** The provider answered something that is not its API's reply. */
        MALFORMED
    }

    private final Reason reason;
    private final int status;

    public ModelCallFailed(Reason reason, int status, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.status = status;
    }

    public Reason reason() {
        return reason;
    }

    /** The HTTP status of the last answer; 0 when there was none. */
    public int status() {
        return status;
    }
}
