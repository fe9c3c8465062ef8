package dev.agentry.core.engine;

import dev.agentry.core.run.StepOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes attempt outcomes in batches: whatever finished while the previous batch was being committed
 * goes into the next transaction together. Under load that amortises each commit's fsync over many
 * steps; when idle, a single outcome is written at once (no artificial delay).
 *
 * <p>The backlog is bounded: executors block when the database falls far behind, instead of the
 * node's memory growing. An outcome is only dropped from memory once its transaction committed.
 */
final class Completer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Completer.class);
    private static final int BATCH = 512;

    private final Engine engine;
    private final BlockingQueue<StepOutcome> backlog = new ArrayBlockingQueue<>(10_000);
    private final Consumer<List<StepOutcome>> afterCommit;
    private volatile boolean stopping;

    Completer(Engine engine, Consumer<List<StepOutcome>> afterCommit) {
        this.engine = engine;
        this.afterCommit = afterCommit;
    }

    void submit(StepOutcome outcome) {
        try {
            backlog.put(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        stopping = true;
    }

    boolean idle() {
        return backlog.isEmpty();
    }

    @Override
    public void run() {
        var batch = new ArrayList<StepOutcome>(BATCH);
        long backoffMs = 50;
        while (!stopping || !backlog.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    StepOutcome first = backlog.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    backlog.drainTo(batch, BATCH - 1);
                }
                engine.complete(batch);
                afterCommit.accept(List.copyOf(batch));
                batch.clear();
                backoffMs = 50;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Keep the batch and try again: the outcomes are only in memory. If this node dies first,
                // the leases expire and the steps are retried elsewhere.
                log.warn("could not record {} step outcomes, retrying in {} ms: {}", batch.size(), backoffMs, e.toString());
                if (stopping && backoffMs > 2_000) {
                    return;
                }
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
