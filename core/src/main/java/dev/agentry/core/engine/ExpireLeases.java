package dev.agentry.core.engine;

import dev.agentry.core.run.StepOutcome;
import java.time.Clock;
import java.time.Duration;

/**
 * Finds attempts whose node stopped renewing its lease and hands their steps back to the queue (or
 * fails them after too many losses). Any node may do it; the guarded completion makes it safe for two
 * to try at once.
 */
final class ExpireLeases extends Loop {
    private final NodeSettings settings;
    private final RunStore runs;
    private final Engine engine;
    private final Clock clock;

    ExpireLeases(NodeSettings settings, RunStore runs, Engine engine, Clock clock) {
        this.settings = settings;
        this.runs = runs;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    protected Duration runOnce() {
        var expired = runs.expiredLeases(clock.instant(), 500);
        if (!expired.isEmpty()) {
            engine.complete(expired.stream().map(StepOutcome::expired).toList());
        }
        return expired.size() == 500 ? Duration.ZERO : settings.lease().dividedBy(2);
    }
}
