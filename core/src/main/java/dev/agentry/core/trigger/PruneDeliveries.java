package dev.agentry.core.trigger;

import dev.agentry.core.engine.Loop;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets webhook deliveries older than {@code retention} (7 days by default), a thousand at a time. A delivery
 * sent again after that is still one run: the run's idempotency key finds it; only the record of the delivery goes.
 */
public final class PruneDeliveries extends Loop {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    private static final Logger log = LoggerFactory.getLogger(PruneDeliveries.class);
    private static final int BATCH = 1_000;

    private final TriggerStore triggers;
    private final Duration retention;
    private final Duration every;
    private final Clock clock;

    public PruneDeliveries(TriggerStore triggers, Duration retention, Duration every, Clock clock) {
        this.triggers = triggers;
        this.retention = retention;
        this.every = every;
        this.clock = clock;
    }

    /** One round: removes every delivery that is past retention; returns how many. */
    public long pruneNow() {
        var before = clock.instant().minus(retention);
        long removed = 0;
        int n;
        do {
            n = triggers.pruneDeliveries(before, BATCH);
            removed += n;
        } while (n == BATCH);
        if (removed > 0) {
            log.info("forgot {} webhook deliveries received before {}", removed, before);
        }
        return removed;
    }

    @Override
    protected Duration runOnce() {
        pruneNow();
        return every;
    }
}
