package dev.agentry.core.engine;

import dev.agentry.core.spend.SpendStore;
import java.time.Duration;

/**
 * Lets runs paused by a budget go on once it allows: the month rolled over, a cap was raised or removed, or an
 * administrator overrode it. Runs every few seconds and at once when a budget changes.
 */
public final class ResumePausedRuns extends Loop {
    private final SpendStore store;
    private final SpendLedger ledger;
    private final Engine engine;
    private final Duration every;

    public ResumePausedRuns(SpendStore store, SpendLedger ledger, Engine engine, Duration every) {
        this.store = store;
        this.ledger = ledger;
        this.engine = engine;
        this.every = every;
        ledger.onBudgetChange(this::wake);
    }

    @Override
    protected Duration runOnce() {
        resumeAllowed();
        return every;
    }

    /** Resumes every paused run whose budgets allow it now; returns how many. */
    public int resumeAllowed() {
        int resumed = 0;
        for (var run : store.pausedRuns()) {
            if (ledger.allows(run) && engine.resume(run.runId(), "the budget allows spending again")) {
                resumed++;
            }
        }
        return resumed;
    }
}
