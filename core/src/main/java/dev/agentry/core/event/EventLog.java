package dev.agentry.core.event;

import java.time.Instant;
import java.util.List;

/**
 * The append-only log of everything that happened, with ids in commit order. Changes to runs append
 * their events through the {@link dev.agentry.core.engine.RunStore} in the same transaction; this port
 * sequences them, reads them back, takes snapshots and enforces retention.
 */
public interface EventLog {
    /** Where the log stands: the last id given out, and the last id retention removed (0 if none). */
    record Position(long last, long prunedThrough) {}

    /** A page of events in id order, read in one snapshot together with where the log stood then. */
    record Page(List<LoggedEvent> events, Position position) {}

    /**
     * Gives committed events that have no id yet their ids, after the last one given out; returns how many
     * it numbered. Sequencers anywhere in the cluster take turns.
     */
    int sequence(int limit);

    Position position();

    /** Events after id {@code after} that match, oldest first. */
    Page read(long after, EventFilter filter, int limit);

    /** A run's events (optionally one step's, some types) after id {@code after}, oldest first. */
    List<LoggedEvent> forRun(String workspace, long run, String step, EventFilter types, long after, int limit);

    /** What is in flight now in the workspace ({@code null}: every workspace), optionally for one run. */
    Snapshot snapshot(String workspace, Long run);

    /** Appends events in a transaction of their own. */
    void append(List<NewEvent> events);

    /** Removes up to {@code limit} of the oldest batches of events written before {@code before}; returns how many. */
    int prune(Instant before, int limit);
}
