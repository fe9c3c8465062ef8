package dev.agentry.core.engine;

import dev.agentry.core.event.EventLog;
import dev.agentry.core.event.NewEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams what this node's jobs print, and the progress they report, as {@code step.log}
 * and {@code step.progress} events: every few hundred milliseconds, one append for all of them, so a
 * chatty command costs a handful of events per second, not one per line.
 */
final class StreamOutput extends Loop {
    private static final Logger log = LoggerFactory.getLogger(StreamOutput.class);
    static final Duration EVERY = Duration.ofMillis(250);
    private static final Duration IDLE = Duration.ofSeconds(5);

    private final EventLog events;
    private Map<?, Dispatcher.Running> running = Map.of();

    StreamOutput(EventLog events) {
        this.events = events;
    }

    void watch(Map<?, Dispatcher.Running> running) {
        this.running = running;
    }

    @Override
    protected Duration runOnce() {
        if (running.isEmpty()) {
            return IDLE; // the dispatcher wakes this loop when it starts a job
        }
        var batch = new ArrayList<NewEvent>();
        var taken = new ArrayList<Dispatcher.Running>();
        for (var entry : running.values()) {
            // Held until the append commits, so an attempt's chunks reach the log in order (see flush).
            if (entry.jobId != null && entry.streaming.tryLock()) {
                taken.add(entry);
                collect(entry, batch);
            }
        }
        try {
            events.append(batch);
        } catch (RuntimeException e) {
            log.warn("could not stream step output ({}); it stays in the steps' logs", e.toString());
        } finally {
            taken.forEach(entry -> entry.streaming.unlock());
        }
        return EVERY;
    }

    /** Streams what is left of an attempt's output now, before its outcome is recorded. */
    void flush(Dispatcher.Running entry) {
        entry.streaming.lock();
        try {
            var batch = new ArrayList<NewEvent>();
            collect(entry, batch);
            events.append(batch);
        } catch (RuntimeException e) {
            log.warn("could not stream the end of step {}'s output ({}); it stays in its log", entry.claim.stepId(), e.toString());
        } finally {
            entry.streaming.unlock();
        }
    }

    private void collect(Dispatcher.Running entry, List<NewEvent> batch) {
        var claim = entry.claim;
        var progress = entry.takeProgress();
        if (progress != null) {
            batch.add(new NewEvent(claim.workspace(), "step.progress", claim.runId(), claim.stepId(), claim.attempt(), progress));
        }
        var chunk = entry.output.take();
        if (chunk != null) {
            var data = new LinkedHashMap<String, Object>();
            data.put("seq", chunk.seq());
            data.put("text", chunk.text());
            batch.add(new NewEvent(claim.workspace(), "step.log", claim.runId(), claim.stepId(), claim.attempt(), data));
        }
    }
}
