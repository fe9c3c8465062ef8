package dev.agentry.core.engine;

/** Something named by id or name does not exist (in this workspace). */
public final class NotFound extends RuntimeException {
    private final String field;

    public NotFound(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
