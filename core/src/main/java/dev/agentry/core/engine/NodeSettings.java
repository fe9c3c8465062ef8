package dev.agentry.core.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one node takes part in executing runs.
 *
 * @param name          unique among live nodes: it owns leases
 * @param slots         attempts this node executes at once
 * @param lease         how long a claim stays valid without renewal; a dead node's work moves on after this
 * @param pollInterval  fallback wake-up when no signal arrives (signals are best effort)
 * @param workRoot      where runs' working directories live
 * @param logCapacity   bytes of a step's log that are kept (the tail)
 * @param streamLimit   bytes of an attempt's output streamed as {@code step.log} events while it runs
 */
public record NodeSettings(String name, int slots, Duration lease, Duration pollInterval, Path workRoot, int logCapacity,
                           long streamLimit) {
    public NodeSettings {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        if (lease.toMillis() < 300) {
            throw new IllegalArgumentException("lease must be at least 300ms");
        }
    }
}
