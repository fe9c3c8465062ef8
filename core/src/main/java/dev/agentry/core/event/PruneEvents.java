package dev.agentry.core.event;

import dev.agentry.core.engine.Loop;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the event log's retention: removes events older than {@code retention}, oldest first, a
 * thousand transactions' worth at a time so that no statement runs long. Clients that ask to resume from
 * a removed id are told so and get a snapshot instead.
 */
public final class PruneEvents extends Loop {
    private static final Logger log = LoggerFactory.getLogger(PruneEvents.class);
    private static final int BATCHES = 1_000;

    private final EventLog events;
    private final Duration retention;
    private final Duration every;
    private final Clock clock;

    public PruneEvents(EventLog events, Duration retention, Duration every, Clock clock) {
        this.events = events;
        this.retention = retention;
        this.every = every;
        this.clock = clock;
    }

    @Override
    protected Duration runOnce() {
        var before = clock.instant().minus(retention);
        long removed = 0;
        int n;
        do {
            n = events.prune(before, BATCHES);
            removed += n;
        } while (n == BATCHES);
        if (removed > 0) {
            log.info("removed {} batches of events older than {}", removed, before);
        }
        return every;
    }
}
