package dev.agentry.core.engine;

import java.time.Clock;
import java.time.Duration;

/**
 * Notices running steps whose executor has gone quiet for longer than {@code silence}: each gets a
 * {@code liveness.changed} event and a {@code stalled} attention item, which resolves by itself when the
 * step shows signs of life again or ends. Every node may run it; the writes are guarded, so a stall is
 * raised once.
 */
public final class WatchLiveness extends Loop {
    private final AttentionStore attention;
    private final Duration silence;
    private final Clock clock;

    public WatchLiveness(AttentionStore attention, Duration silence, Clock clock) {
        this.attention = attention;
        this.silence = silence;
        this.clock = clock;
    }

    @Override
    protected Duration runOnce() {
        attention.checkLiveness(clock.instant().minus(silence));
        // Often enough that a stall shows within a quarter of the window, at most every 15 s.
        var every = silence.dividedBy(4);
        return every.compareTo(Duration.ofSeconds(15)) > 0 ? Duration.ofSeconds(15)
                : every.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : every;
    }
}
