package dev.agentry.bench.events;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts runs at a steady rate through the HTTP API, each on a virtual thread of its own so that a slow
 * answer (a commit waiting on fsync) does not hold back the next start: the offered rate stays the rate
 * asked for, whatever the server's latency.
 */
public final class Load implements AutoCloseable {
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "bench-load");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Exception lastFailure;

    public Load(Api api, String pipeline, double runsPerSecond) {
        long period = (long) (1e9 / runsPerSecond);
        ticks.scheduleAtFixedRate(() -> starts.submit(() -> {
            try {
                api.start(pipeline);
                started.incrementAndGet();
            } catch (Exception e) {
                failed.incrementAndGet();
                lastFailure = e;
            }
        }), 0, period, TimeUnit.NANOSECONDS);
    }

    public long started() {
        return started.get();
    }

    public long failed() {
        return failed.get();
    }

    public Exception lastFailure() {
        return lastFailure;
    }

    /** Stops offering runs and waits for the starts already under way to be answered. */
    @Override
    public void close() throws InterruptedException {
        ticks.shutdownNow();
        ticks.awaitTermination(10, TimeUnit.SECONDS);
        starts.close();
    }
}
