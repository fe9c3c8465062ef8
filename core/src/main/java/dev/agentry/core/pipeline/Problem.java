package dev.agentry.core.pipeline;

/**
 * One thing wrong with something a user sent: where it is ({@code field}, a path such as
 * {@code steps[2].retry.max_attempts}) and what was expected there.
 */
public record Problem(String field, String message) {
    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
