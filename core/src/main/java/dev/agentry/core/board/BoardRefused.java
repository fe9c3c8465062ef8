package dev.agentry.core.board;

/** A board edit that would break the board's rules; nothing of it was written. */
public final class BoardRefused extends RuntimeException {
    /** INVALID: the edit itself is wrong (422). CONFLICT: it clashes with what the board holds now (409). */
    public enum Reason { INVALID, CONFLICT }

    private final Reason reason;
    private final String field;

    public BoardRefused(Reason reason, String field, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
    }

    public Reason reason() {
        return reason;
    }

    public String field() {
        return field;
    }
}
