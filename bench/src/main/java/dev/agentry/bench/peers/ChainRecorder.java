package dev.agentry.bench.peers;

import dev.agentry.bench.BenchResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * In-memory timestamps of one chains workload, written by the job handlers and turned into a
 * {@link BenchResult} at the end.
 *
 * <p>For every step of every chain it keeps the {@link System#nanoTime()} at which the step was
 * scheduled/enqueued (just before the library call that makes it runnable), at which its handler
 * started, and at which its handler returned. Each moment is recorded once: if a library runs a step
 * a second time (at-least-once delivery), the first time counts and the repeat is counted in
 * {@link #duplicateStarts()}.
 */
final class ChainRecorder {
    private final int chains;
    private final int steps;
    /** nanoTime minus this is always at least 1, so 0 can mean "not recorded". */
    private final long origin = System.nanoTime() - 1;
    private final AtomicLongArray enqueued;
    private final AtomicLongArray started;
    private final AtomicLongArray finished;
    private final CountDownLatch chainsLeft;
    private final AtomicInteger duplicateStarts = new AtomicInteger();

    ChainRecorder(int chains, int steps) {
        if (chains < 1 || steps < 1) {
            throw new IllegalArgumentException("need at least one chain of one step, got " + chains + " x " + steps);
        }
        this.chains = chains;
        this.steps = steps;
        this.enqueued = new AtomicLongArray(chains * steps);
        this.started = new AtomicLongArray(chains * steps);
        this.finished = new AtomicLongArray(chains * steps);
        this.chainsLeft = new CountDownLatch(chains);
    }

    /** How long a peer waits for all chains before it reports a failure: {@code -Dpeers.timeoutSeconds}, default 300. */
    /** Waits for every chain to finish (bounded by {@link #completionTimeout()}) and sums the run up. */
    BenchResult awaitResult(String engine, long t0) throws InterruptedException {
        Duration timeout = completionTimeout();
        if (!awaitAllChains(timeout)) {
            throw new IllegalStateException(engine + ": " + chainsDone() + " of " + chains()
                    + " chains finished within " + timeout.toSeconds() + " s");
        }
        BenchResult result = result(engine, t0);
        if (verbose()) {
            System.err.print(engine + " per step:\n" + stepBreakdown(t0));
        }
        return result;
    }

    static Duration completionTimeout() {
        return Duration.ofSeconds(Long.getLong("peers.timeoutSeconds", 300));
    }

    int chains() {
        return chains;
    }

    int steps() {
        return steps;
    }

    /** The current time on this recorder's clock (never 0). */
    long now() {
        return System.nanoTime() - origin;
    }

    /** Step {@code step} (0-based) of {@code chain} is about to be made runnable. */
    void enqueued(int chain, int step) {
        enqueuedAt(chain, step, now());
    }

    /** Records one common enqueue moment, for steps that were scheduled together in one batch. */
    void enqueuedAt(int chain, int step, long at) {
        enqueued.compareAndSet(index(chain, step), 0, at);
    }

    void started(int chain, int step) {
        if (!started.compareAndSet(index(chain, step), 0, now())) {
            duplicateStarts.incrementAndGet();
        }
    }

    void finished(int chain, int step) {
        if (finished.compareAndSet(index(chain, step), 0, now()) && step == steps - 1) {
            chainsLeft.countDown();
        }
    }

    /** Waits until every chain's last step has finished; false if the timeout passed first. */
    boolean awaitAllChains(Duration timeout) throws InterruptedException {
        return chainsLeft.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    int chainsDone() {
        return chains - (int) chainsLeft.getCount();
    }

    int duplicateStarts() {
        return duplicateStarts.get();
    }

    /**
     * The result of a complete run that started at {@code t0} (a value of {@link #now()}).
     *
     * @throws IllegalStateException if some chain did not finish or some step lacks a timestamp
     */
    BenchResult result(String engine, long t0) {
        if (chainsDone() != chains) {
            throw new IllegalStateException(engine + ": only " + chainsDone() + " of " + chains + " chains finished");
        }
        long lastFinish = 0;
        double[] chainMs = new double[chains];
        double[] dispatchMs = new double[chains * steps];
        for (int chain = 0; chain < chains; chain++) {
            long chainStart = require(enqueued, chain, 0, "enqueue");
            long chainEnd = require(finished, chain, steps - 1, "finish");
            lastFinish = Math.max(lastFinish, chainEnd);
            chainMs[chain] = millis(chainEnd - chainStart);
            for (int step = 0; step < steps; step++) {
                long ready = require(enqueued, chain, step, "enqueue");
                long start = require(started, chain, step, "start");
                dispatchMs[index(chain, step)] = millis(start - ready);
            }
        }
        Arrays.sort(chainMs);
        Arrays.sort(dispatchMs);
        return new BenchResult(engine, chains, steps, (lastFinish - t0) / 1e9,
                percentile(chainMs, 0.50), percentile(chainMs, 0.99),
                percentile(dispatchMs, 0.50), percentile(dispatchMs, 0.99));
    }

    /**
     * Per step: dispatch p50/p99 and when, after {@code t0}, the first and last handler of that step
     * started. A diagnostic for {@code -Dpeers.verbose=true}; assumes a complete run.
     */
    String stepBreakdown(long t0) {
        StringBuilder out = new StringBuilder();
        for (int step = 0; step < steps; step++) {
            double[] dispatch = new double[chains];
            long firstStart = Long.MAX_VALUE;
            long lastStart = Long.MIN_VALUE;
            for (int chain = 0; chain < chains; chain++) {
                long start = started.get(index(chain, step));
                dispatch[chain] = millis(start - enqueued.get(index(chain, step)));
                firstStart = Math.min(firstStart, start);
                lastStart = Math.max(lastStart, start);
            }
            Arrays.sort(dispatch);
            out.append(String.format("  step %d: dispatch p50 %8.1f ms  p99 %8.1f ms  first start at %8.1f ms  last at %8.1f ms%n",
                    step + 1, percentile(dispatch, 0.50), percentile(dispatch, 0.99),
                    millis(firstStart - t0), millis(lastStart - t0)));
        }
        return out.toString();
    }

    static boolean verbose() {
        return Boolean.getBoolean("peers.verbose");
    }

    /** Nearest-rank percentile of an ascending array. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private long require(AtomicLongArray times, int chain, int step, String what) {
        long t = times.get(index(chain, step));
        if (t == 0) {
            throw new IllegalStateException("no " + what + " time recorded for chain " + chain + " step " + (step + 1));
        }
        return t;
    }

    private int index(int chain, int step) {
        if (chain < 0 || chain >= chains || step < 0 || step >= steps) {
            throw new IllegalArgumentException("no such step: chain " + chain + " step " + step);
        }
        return chain * steps + step;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
