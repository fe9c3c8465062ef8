package dev.agentry.core.forge;

import java.util.List;

/**
 * The checks on a pull request's head commit, combined: {@code PENDING} while any runs, {@code FAILED} if
 * any failed, {@code PASSED} when all passed, {@code NONE} when there are none.
 */
public record Checks(State state, List<Check> checks) {
    public enum State { PENDING, PASSED, FAILED, NONE }

    public record Check(String name, State state, String url) {}

    public Checks {
        checks = List.copyOf(checks);
    }

    /** The checks that failed, by name, for messages. */
    public List<String> failedNames() {
        return checks.stream().filter(c -> c.state() == State.FAILED).map(Check::name).toList();
    }
}
