package dev.agentry.core.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where metered calls, spend totals and budgets live. */
public interface SpendStore {
    /** A budget that covers a call, with what is spent under it this period. */
    record Standing(Budget budget, BigDecimal spent, boolean warned) {}

    /** The budgets with a cap that cover calls of the scope (its run, workspace and account), this period. */
    List<Standing> standings(CallScope scope, YearMonth month);

    /**
     * Stores a metered call in one transaction: the call with its cost, only the prompt items the conversation so
     * far did not already hold, the spend totals of its run, workspace and account, and a {@code spend.recorded}
     * event carrying {@code event}.
     *
     * @return the call's id
     */
    long record(MeteredCall call, BigDecimal cost, boolean priced, YearMonth month, Map<String, Object> event);

    /** Marks the budget warned for the period and records a {@code budget.warning} event; false if it already was. */
    boolean warn(BudgetScope scope, YearMonth month, String workspace, Map<String, Object> event);

    /** Runs that are running under the scope (for a run scope: the run itself, if running). */
    List<Long> runningRuns(BudgetScope scope);

    /** A run paused by a budget, with what could hold it. */
    record PausedRun(long runId, String workspace, String account) {}

    List<PausedRun> pausedRuns();

    Optional<Budget> budget(BudgetScope scope);

    void saveBudget(Budget budget);

    /** The account a workspace belongs to. */
    String accountOf(String workspace);

    /** What was spent under the scope in the period ({@link BudgetScope#period}). */
    BigDecimal spent(BudgetScope scope, YearMonth month);

    /** An instant within the period, for tests and views. */
    default YearMonth month(Instant now) {
        return YearMonth.from(now.atZone(java.time.ZoneOffset.UTC));
    }
}
