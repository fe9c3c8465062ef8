package dev.agentry.runners.forge;

import dev.agentry.core.forge.Checks;
import java.util.List;

/**
 * One state for a commit's checks, the same for every forge: a failure decides at once (waiting for the rest
 * would not make it green), then anything still running, then all passed; no checks at all is {@code NONE}.
 */
final class CombinedChecks {
    private CombinedChecks() {}

    static Checks of(List<Checks.Check> checks) {
        if (checks.isEmpty()) {
            return new Checks(Checks.State.NONE, checks);
        }
        boolean pending = false;
        for (var check : checks) {
            if (check.state() == Checks.State.FAILED) {
                return new Checks(Checks.State.FAILED, checks);
            }
            pending |= check.state() != Checks.State.PASSED;
        }
        return new Checks(pending ? Checks.State.PENDING : Checks.State.PASSED, checks);
    }
}
