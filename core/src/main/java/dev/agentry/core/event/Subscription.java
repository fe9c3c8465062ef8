package dev.agentry.core.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream's view of the log: a snapshot first (or a replay from a given id), then live events, with a
 * fresh snapshot now and then. A connection calls {@link #next} in a loop and sends what it gets.
 *
 * <p>Live events arrive from the {@link EventHub} into a bounded queue. A subscriber that is still
 * replaying from the log does not need them yet: when its queue fills, the queue is emptied and refilled
 * from the log later. A subscriber that is live and lets its queue fill is cut off with a reason; it
 * resumes by id. So a slow or dead consumer holds at most {@code capacity} events.
 */
public final class Subscription implements AutoCloseable {
    private final EventHub hub;
    private final EventLog log;
    private final Clock clock;
    final EventFilter filter;
    private final int capacity;
    private final int pageSize;
    private final Duration snapshotEvery;
    final long number;
    final Instant connectedAt;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Every matching event after {@link #queuedAfter} that the hub has fanned out, in id order. */
    private final ArrayDeque<LoggedEvent> queue = new ArrayDeque<>();
    private long queuedAfter;
    private String cutOff;
    private boolean closed;

    // Owned by the connection's thread.
    /** The last id the client has, as an event or as a snapshot's position. */
    private long sent;
    private boolean live;
    private boolean snapshotDue;
    private Delivery.Gap gap;
    private Instant nextSnapshot;
    private final ArrayDeque<LoggedEvent> replay = new ArrayDeque<>();
    private boolean replayExhausted;

    Subscription(EventHub hub, EventLog log, Clock clock, EventFilter filter, Long since, long hubPosition,
                 EventHub.Settings settings, long number) {
        this.hub = hub;
        this.log = log;
        this.clock = clock;
        this.filter = filter;
        this.capacity = settings.subscriberBuffer();
        this.pageSize = settings.pageSize();
        this.snapshotEvery = filter.wantsType(LoggedEvent.SNAPSHOT) ? settings.snapshotEvery() : null;
        this.number = number;
        this.connectedAt = clock.instant();
        this.queuedAfter = hubPosition;
        if (since != null) {
            sent = since;
        } else if (snapshotEvery != null) {
            snapshotDue = true;
        } else {
            sent = hubPosition;
            live = true;
        }
        scheduleSnapshot();
    }

    /**
     * Called by the hub, in id order, with the events of one read that match the filter: one lock and one
     * wake-up per read, however many events it brought.
     */
    void offer(List<LoggedEvent> events) {
        lock.lock();
        try {
            if (closed || cutOff != null) {
                return;
            }
            for (LoggedEvent event : events) {
                if (queue.size() >= capacity) {
                    if (live) {
                        cutOff = "fell more than " + capacity + " events behind";
                        queue.clear();
                        arrived.signal();
                        hub.remove(this);
                        return;
                    }
                    queue.clear(); // still replaying from the log, which has these events too
                    queuedAfter = event.id() - 1;
                }
                queue.addLast(event);
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next thing to send, waiting up to {@code wait} for one; {@code null} if nothing came (send a
     * heartbeat). After a {@link Delivery.CutOff} the subscription is over.
     */
    public Delivery next(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (gap != null) {
                var g = gap;
                gap = null;
                return g;
            }
            if (!snapshotDue && snapshotEvery != null && !clock.instant().isBefore(nextSnapshot)) {
                snapshotDue = true;
            }
            if (snapshotDue) {
                // Never older than what this node has already fanned out: a client that shows the snapshot
                // before the events after it still shows the present.
                Snapshot snapshot = hub.snapshot(filter.workspace(), filter.run(), Math.max(sent, hub.position()));
                snapshotDue = false;
                scheduleSnapshot();
                sent = snapshot.position(); // never behind what was sent: see EventHub.snapshot
                goLiveIfCaughtUp();
                return new Delivery.State(snapshot);
            }
            if (!live) {
                var event = replayNext();
                if (event != null) {
                    return event;
                }
                continue; // went live, found a gap, or read another page
            }
            lock.lock();
            try {
                if (cutOff != null || closed) {
                    closed = true;
                    return new Delivery.CutOff(sent, cutOff != null ? cutOff : "the stream was closed");
                }
                LoggedEvent event = queue.pollFirst();
                if (event == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    long snapshotIn = snapshotEvery == null ? Long.MAX_VALUE
                            : Duration.between(clock.instant(), nextSnapshot).toNanos();
                    arrived.awaitNanos(Math.max(1, Math.min(left, snapshotIn)));
                    continue;
                }
                if (event.id() > sent) {
                    sent = event.id();
                    return new Delivery.Event(event);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** The next replayed event, or null when there was none to give (the caller loops). */
    private Delivery replayNext() {
        var event = replay.pollFirst();
        if (event != null) {
            sent = event.id();
            return new Delivery.Event(event);
        }
        if (replayExhausted) {
            replayExhausted = false;
            goLiveIfCaughtUp();
            if (live) {
                return null;
            }
        }
        var page = log.read(sent, filter, pageSize);
        var position = page.position();
        String then = snapshotEvery == null ? "; the stream goes on from the log's end" : "; a snapshot follows";
        if (position.prunedThrough() > sent) {
            gap = new Delivery.Gap(sent, position.prunedThrough() + 1,
                    "events up to " + position.prunedThrough() + " are past the log's retention" + then);
        } else if (sent > position.last()) {
            gap = new Delivery.Gap(sent, position.prunedThrough() + 1,
                    "event " + sent + " is ahead of this log, which ends at " + position.last() + then);
        }
        if (gap != null) {
            snapshotDue = true;
            if (snapshotEvery == null) { // a client that takes no snapshots starts over from the log's end
                sent = position.last();
                snapshotDue = false;
            } else {
                sent = 0;
            }
            return null;
        }
        replay.addAll(page.events());
        if (page.events().size() < pageSize) {
            replayExhausted = true;
            // Everything up to where the log stood has been read: nothing matching lies between.
            if (replay.isEmpty()) {
                sent = Math.max(sent, position.last());
            }
        }
        return null;
    }

    private void goLiveIfCaughtUp() {
        lock.lock();
        try {
            live = sent >= queuedAfter;
        } finally {
            lock.unlock();
        }
    }

    private void scheduleSnapshot() {
        nextSnapshot = snapshotEvery == null ? Instant.MAX : clock.instant().plus(snapshotEvery);
    }

    /** Events waiting in this subscription's queue now. */
    public int buffered() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    public long sent() {
        return sent;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            arrived.signalAll(); // a connection waiting in next() ends now, not at its next heartbeat
        } finally {
            lock.unlock();
        }
        hub.remove(this);
    }

}
