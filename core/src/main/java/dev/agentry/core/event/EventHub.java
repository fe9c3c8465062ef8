package dev.agentry.core.event;

import dev.agentry.core.engine.Loop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's fan-out of the event log to its streams. When the log grows (a sequencer anywhere in the
 * cluster says so through a signal) the hub reads the new events once and hands each to the
 * subscriptions it matches. Subscriptions replay older events from the log themselves.
 */
public final class EventHub implements AutoCloseable {
    /**
     * @param subscriberBuffer live events a subscriber may fall behind before it is cut off
     * @param snapshotEvery    how often a stream gets a fresh snapshot
     * @param pageSize         events read from the log at once
     * @param snapshotReuse    how long a snapshot may be handed to other subscribers that connect meanwhile
     */
    public record Settings(int subscriberBuffer, Duration snapshotEvery, int pageSize, Duration snapshotReuse) {
        public Settings {
            if (subscriberBuffer < 1) {
                throw new IllegalArgumentException("subscriberBuffer must be at least 1");
            }
        }

        public static Settings defaults() {
            return new Settings(10_000, Duration.ofSeconds(60), 500, Duration.ofMillis(500));
        }
    }

    /** A stream connected to this node, for operators. */
    public record StreamView(long number, String workspace, Long run, List<String> types, Instant connectedAt,
                             long sent, int buffered) {}

    private static final EventFilter EVERYTHING = new EventFilter(null, null, List.of());

    private final EventLog log;
    private final Settings settings;
    private final Clock clock;
    private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong numbers = new AtomicLong();
    private final Object fanOut = new Object();
    private final Map<SnapshotKey, Cached> snapshots = new ConcurrentHashMap<>();
    private final Reader reader = new Reader();
    private volatile long position;

    private record SnapshotKey(String workspace, Long run) {}

    private record Cached(Snapshot snapshot, long takenAt) {}

    public EventHub(EventLog log, Settings settings, Clock clock) {
        this.log = log;
        this.settings = settings;
        this.clock = clock;
    }

    public EventHub start() {
        position = log.position().last();
        reader.start("agentry-event-hub");
        return this;
    }

    /** The log has grown: read and fan out what is new. */
    public void wake() {
        reader.wake();
    }

    /**
     * A new stream: replaying the log after {@code since}, or (null) starting from a snapshot. The caller
     * must {@link Subscription#close} it.
     */
    public Subscription subscribe(EventFilter filter, Long since) {
        synchronized (fanOut) {
            var s = new Subscription(this, log, clock, filter, since, position, settings, numbers.incrementAndGet());
            subscribers.add(s);
            return s;
        }
    }

    void remove(Subscription s) {
        subscribers.remove(s);
    }

    /** The last id this node has fanned out. */
    public long position() {
        return position;
    }

    public List<StreamView> streams() {
        return subscribers.stream()
                .sorted(Comparator.comparingLong(s -> s.number))
                .map(s -> new StreamView(s.number, s.filter.workspace(), s.filter.run(), s.filter.types(), s.connectedAt,
                        s.sent(), s.buffered()))
                .toList();
    }

    /**
     * A snapshot at or after {@code atLeast}. Streams that connect together (a page reload across a team,
     * a server restart) share one while nothing new has been fanned out and it is fresh.
     */
    Snapshot snapshot(String workspace, Long run, long atLeast) {
        var key = new SnapshotKey(workspace, run);
        var cached = snapshots.get(key);
        long now = System.nanoTime();
        if (cached != null && cached.snapshot().position() >= atLeast
                && now - cached.takenAt() < settings.snapshotReuse().toNanos()) {
            return cached.snapshot();
        }
        var fresh = log.snapshot(workspace, run);
        snapshots.put(key, new Cached(fresh, now));
        if (snapshots.size() > 1_000) {
            snapshots.clear(); // one-run snapshots of many runs: keep the cache small
        }
        return fresh;
    }

    private final class Reader extends Loop {
        @Override
        protected Duration runOnce() {
            while (true) {
                var page = log.read(position, EVERYTHING, settings.pageSize());
                var events = page.events();
                if (!events.isEmpty()) {
                    synchronized (fanOut) {
                        var matching = new ArrayList<LoggedEvent>(events.size());
                        for (Subscription s : subscribers) {
                            matching.clear();
                            for (LoggedEvent e : events) {
                                if (s.filter.matches(e)) {
                                    matching.add(e);
                                }
                            }
                            if (!matching.isEmpty()) {
                                s.offer(matching);
                            }
                        }
                        position = events.get(events.size() - 1).id();
                    }
                }
                if (page.events().size() < settings.pageSize()) {
                    // Signals are best effort (a NOTIFY lost while the LISTEN connection was down): look again soon.
                    return Duration.ofSeconds(2);
                }
            }
        }
    }

    @Override
    public void close() {
        reader.stop();
        subscribers.forEach(Subscription::close);
    }

}
