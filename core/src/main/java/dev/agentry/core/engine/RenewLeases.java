package dev.agentry.core.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import dev.agentry.core.run.StepOutcome;
import java.time.Instant;
import java.util.HashMap;

/**
 * Keeps this node's claims alive, and stops attempts whose claim it no longer holds (the run was
 * canceled, or the lease lapsed and another node took the step over). Each renewal carries the attempt's
 * last sign of life (started, printed, reported progress): the executor's heartbeat.
 */
final class RenewLeases extends Loop {
    private final NodeSettings settings;
    private final RunStore runs;
    private final Dispatcher dispatcher;
    private final Clock clock;

    RenewLeases(NodeSettings settings, RunStore runs, Dispatcher dispatcher, Clock clock) {
        this.settings = settings;
        this.runs = runs;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    @Override
    protected Duration runOnce() {
        var held = new HashMap<StepOutcome.StepRef, Instant>();
        dispatcher.running.forEach((ref, running) -> held.put(ref, running.lastSignOfLife()));
        if (!held.isEmpty()) {
            var renewed = new HashSet<>(runs.renewLeases(settings.name(), held, clock.instant().plus(settings.lease())));
            for (var ref : held.keySet()) {
                if (!renewed.contains(ref)) {
                    dispatcher.lose(ref, true);
                }
            }
        }
        return settings.lease().dividedBy(3);
    }
}
