package dev.agentry.core.spend;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A cap on spend.
 *
 * @param limit         US dollars per month (per run for a run's budget); null for no cap
 * @param overrideUntil an administrator let calls through despite the cap until then; null for none
 */
public record Budget(BudgetScope scope, BigDecimal limit, Instant overrideUntil) {
    public boolean overridden(Instant now) {
        return overrideUntil != null && overrideUntil.isAfter(now);
    }
}
