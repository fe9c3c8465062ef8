package dev.agentry.core.secret;

/** A secret, a name or a lease request the vault refuses, naming the field at fault. Never carries a value. */
public final class InvalidSecret extends IllegalArgumentException {
    private final String field;

    public InvalidSecret(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
