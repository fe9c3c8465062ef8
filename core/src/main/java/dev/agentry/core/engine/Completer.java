package dev.agentry.core.engine;

import dev.agentry.core.run.IllegalTransition;
import dev.agentry.core.run.StepOutcome;
import java.util.ArrayList;
import java.util.Collection;
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
 * node's memory growing. An outcome leaves memory once its transaction committed; while the database
 * is unreachable the batch is retried with backoff. An outcome the store refuses outright
 * ({@link RunStore.Unrecordable}) must not hold the others hostage: the batch is then written one
 * outcome at a time, and the refused one is recorded as a failure that says why.
 */
final class Completer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Completer.class);
    private static final int BATCH = 512;

    /** Where outcomes go: {@link Engine#complete} in production. */
    @FunctionalInterface
    interface Writer {
        int complete(Collection<StepOutcome> outcomes);
    }

    private final Writer writer;
    private final BlockingQueue<StepOutcome> backlog = new ArrayBlockingQueue<>(10_000);
    private final Consumer<List<StepOutcome>> afterCommit;
    private volatile boolean stopping;

    Completer(Writer writer, Consumer<List<StepOutcome>> afterCommit) {
        this.writer = writer;
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
                try {
                    writer.complete(batch);
                } catch (RunStore.Unrecordable | IllegalTransition refused) {
                    writeApart(batch);
                }
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

    /**
     * One outcome at a time, so that only the refused ones are affected. A refused outcome is recorded
     * as a failure without what could not be stored (log, outputs); if even that is refused it is
     * dropped from memory, so its lease lapses and the step is retried like a lost attempt.
     * A passing failure here propagates: the caller retries the whole batch, and outcomes already
     * written are then refused by their guard, harmlessly.
     */
    private void writeApart(List<StepOutcome> batch) {
        for (StepOutcome outcome : batch) {
            try {
                writer.complete(List.of(outcome));
            } catch (RunStore.Unrecordable | IllegalTransition refused) {
                log.error("step {} of run {}: its outcome could not be recorded ({}); recording it as failed",
                        outcome.stepId(), outcome.runId(), refused.getMessage());
                var ref = new StepOutcome.StepRef(outcome.runId(), outcome.stepId(), outcome.attempt(), outcome.owner());
                try {
                    writer.complete(List.of(StepOutcome.failed(ref, "the attempt ended but its outcome could not be recorded: "
                            + refused.getMessage(), null, null)));
                } catch (RunStore.Unrecordable | IllegalTransition again) {
                    log.error("step {} of run {}: not even its failure could be recorded; its lease will lapse",
                            outcome.stepId(), outcome.runId());
                }
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
