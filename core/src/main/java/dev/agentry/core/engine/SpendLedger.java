package dev.agentry.core.engine;

import dev.agentry.core.spend.Admission;
import dev.agentry.core.spend.Budget;
import dev.agentry.core.spend.BudgetScope;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.Metering;
import dev.agentry.core.spend.Prices;
import dev.agentry.core.spend.SpendStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Budgets and metering in one place: every model call is admitted here before it leaves and recorded here once
 * answered. A call that would start with a budget spent is refused and pauses the runs that budget covers; a
 * recorded call that crosses 80% of a budget warns once per period, and one that reaches the cap pauses them.
 * {@link ResumePausedRuns} lets them go on when the budget allows again.
 */
public final class SpendLedger implements Metering {
    /** The share of a budget at which a warning is recorded. */
    static final BigDecimal WARN_AT = new BigDecimal("0.8");
    public static final String PAUSE_REASON = "budget";

    private final SpendStore store;
    private final Prices prices;
    private final Engine engine;
    private final Clock clock;
    private volatile Runnable budgetChanged = () -> { };

    public SpendLedger(SpendStore store, Prices prices, Engine engine, Clock clock) {
        this.store = store;
        this.prices = prices;
        this.engine = engine;
        this.clock = clock;
    }

    /** Called after a budget changes (the resume duty wakes so a raised cap takes effect at once). */
    public void onBudgetChange(Runnable action) {
        this.budgetChanged = action;
    }

    @Override
    public Admission admit(CallScope scope) {
        Instant now = clock.instant();
        var spent = exhausted(scope, now);
        if (spent == null) {
            return Admission.ADMITTED;
        }
        pauseUnder(spent, now);
        return new Admission.Refused(describe(spent) + "; the run is paused until the budget allows");
    }

    /** Whether the budgets covering a paused run let it go on now. */
    boolean allows(SpendStore.PausedRun run) {
        return exhausted(new CallScope(run.runId(), null, null, run.workspace(), run.account(), null), clock.instant()) == null;
    }

    @Override
    public long record(MeteredCall call) {
        Instant now = clock.instant();
        YearMonth month = store.month(now);
        var price = prices.of(call.model());
        BigDecimal cost = price.map(p -> p.cost(call.usage())).orElse(BigDecimal.ZERO.setScale(9));
        var event = new LinkedHashMap<String, Object>();
        event.put("api", call.api());
        event.put("provider", call.scope().provider());
        event.put("model", call.model());
        event.put("inputTokens", call.usage().input());
        event.put("outputTokens", call.usage().output());
        event.put("cacheReadTokens", call.usage().cacheRead());
        event.put("cacheWriteTokens", call.usage().cacheWrite());
        event.put("costUsd", cost.stripTrailingZeros().toPlainString());
        event.put("latencyMs", call.latency().toMillis());
        if (price.isEmpty()) {
            event.put("priced", false);
        }
        long id = store.record(call, cost, price.isPresent(), month, event);
        for (var standing : store.standings(call.scope(), month)) {
            Budget budget = standing.budget();
            BigDecimal limit = budget.limit();
            if (limit.signum() > 0 && !standing.warned() && standing.spent().compareTo(limit.multiply(WARN_AT)) >= 0) {
                store.warn(budget.scope(), month, call.scope().workspace(), describe(standing, "warning"));
            }
            if (standing.spent().compareTo(limit) >= 0 && !budget.overridden(now)) {
                pauseUnder(standing, now);
            }
        }
        return id;
    }

    /** The first budget covering the scope that is spent and not overridden; null when none is. */
    private SpendStore.Standing exhausted(CallScope scope, Instant now) {
        for (var standing : store.standings(scope, store.month(now))) {
            if (standing.spent().compareTo(standing.budget().limit()) >= 0 && !standing.budget().overridden(now)) {
                return standing;
            }
        }
        return null;
    }

    private void pauseUnder(SpendStore.Standing spent, Instant now) {
        List<Long> runs = store.runningRuns(spent.budget().scope());
        if (!runs.isEmpty()) {
            engine.pause(runs, PAUSE_REASON, describe(spent, "cap"));
        }
    }

    // ---- budgets, as administrators set them ------------------------------------------------------

    public Budget budget(BudgetScope scope) {
        return store.budget(scope).orElse(new Budget(scope, null, null));
    }

    public void setBudget(Budget budget) {
        store.saveBudget(budget);
        budgetChanged.run();
    }

    public BigDecimal spent(BudgetScope scope) {
        return store.spent(scope, store.month(clock.instant()));
    }

    public String accountOf(String workspace) {
        return store.accountOf(workspace);
    }

    private static Map<String, Object> describe(SpendStore.Standing s, String what) {
        var data = new LinkedHashMap<String, Object>();
        data.put("budget", s.budget().scope().kind().wireName());
        data.put("scope", s.budget().scope().id());
        data.put("limitUsd", s.budget().limit().stripTrailingZeros().toPlainString());
        data.put("spentUsd", s.spent().setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
        if (s.budget().limit().signum() > 0) {
            data.put("percent", s.spent().multiply(BigDecimal.valueOf(100)).divide(s.budget().limit(), 1, RoundingMode.HALF_UP));
        }
        data.put("level", what);
        return data;
    }

    private static String describe(SpendStore.Standing s) {
        var scope = s.budget().scope();
        return "the " + scope.kind().wireName() + " budget of " + scope.id() + " is spent ($"
                + s.spent().setScale(2, RoundingMode.HALF_UP).toPlainString() + " of $"
                + s.budget().limit().setScale(2, RoundingMode.HALF_UP).toPlainString()
                + (scope.kind() == BudgetScope.Kind.RUN ? ")" : " this month)");
    }
}
