package dev.agentry.core.event;

import dev.agentry.core.engine.Loop;
import java.time.Duration;

/**
 * Gives committed events their ids. Woken after this node's own commits; it also looks every second,
 * for events that a node committed just before it died. Any number of nodes run it; they take turns.
 */
public final class SequenceEvents extends Loop {
    private static final int BATCHES = 5_000;

    private final EventLog log;
    private final Runnable sequenced;

    /** @param sequenced told when ids were given, so this node's hub reads them at once */
    public SequenceEvents(EventLog log, Runnable sequenced) {
        this.log = log;
        this.sequenced = sequenced;
    }

    @Override
    protected Duration runOnce() {
        int numbered;
        do {
            numbered = log.sequence(BATCHES);
            if (numbered > 0) {
                sequenced.run();
            }
        } while (numbered > 0);
        return Duration.ofSeconds(1);
    }
}
