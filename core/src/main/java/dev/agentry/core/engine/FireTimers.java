package dev.agentry.core.engine;

import java.time.Clock;
import java.time.Duration;

/**
 * Durable timers: ends sleeps and applies approval deadlines when they come due, and wakes the
 * dispatcher when a step's retry backoff is over. Sleeps until the earliest due moment (or a signal
 * that timers changed), so it costs nothing while nothing is due.
 */
final class FireTimers extends Loop {
    private final NodeSettings settings;
    private final RunStore runs;
    private final Engine engine;
    private final Dispatcher dispatcher;
    private final Clock clock;

    FireTimers(NodeSettings settings, RunStore runs, Engine engine, Dispatcher dispatcher, Clock clock) {
        this.settings = settings;
        this.runs = runs;
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    @Override
    protected Duration runOnce() {
        var now = clock.instant();
        var due = runs.dueTimers(now, 500);
        engine.fireTimers(due);
        var next = runs.nextDue();
        if (next.isEmpty()) {
            return settings.pollInterval();
        }
        var wait = Duration.between(clock.instant(), next.get());
        if (!wait.isPositive()) {
            // Something is due now: a ready step after its backoff (the dispatcher's job) or a timer we just fired.
            dispatcher.wake();
            return Duration.ofMillis(100);
        }
        return wait.compareTo(settings.pollInterval()) < 0 ? wait : settings.pollInterval();
    }
}
