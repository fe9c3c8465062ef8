package dev.agentry.core.board;

import dev.agentry.core.engine.Loop;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.run.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every running wave on: notes the tasks whose runs ended, starts the waiting tasks whose dependencies are
 * done while fewer than maxParallel are in progress, and ends the wave once nothing more can move. All state is
 * in the store, so a restarted server picks up where it stopped; a task is started with the idempotency key
 * {@code wave:<wave>:<task>}, so a crash between starting its run and recording it cannot start it twice.
 */
public final class AdvanceWaves extends Loop {
    private static final Logger log = LoggerFactory.getLogger(AdvanceWaves.class);

    private final WaveStore waves;
    private final Board board;
    private final RunQueries queries;
    private final String node;
    private final Clock clock;
    private final Duration every;

    public AdvanceWaves(WaveStore waves, Board board, RunQueries queries, String node, Clock clock, Duration every) {
        this.waves = waves;
        this.board = board;
        this.queries = queries;
        this.node = node;
        this.clock = clock;
        this.every = every;
    }

    @Override
    protected Duration runOnce() {
        advanceAll();
        return every;
    }

    /** One round over every running wave this node can claim. */
    public void advanceAll() {
        var now = clock.instant();
        for (var wave : waves.claim(node, now, now.plus(every.multipliedBy(10)))) {
            advance(wave);
        }
    }

    public void releaseAll() {
        waves.release(node);
    }

    private void advance(Wave wave) {
        var state = new HashMap<Long, Wave.TaskState>();
        for (var t : wave.tasks()) {
            state.put(t.task(), t.state() == Wave.TaskState.IN_PROGRESS ? settle(wave, t) : t.state());
        }
        var statuses = board.taskStatuses(wave.workspace());
        long inProgress = state.values().stream().filter(s -> s == Wave.TaskState.IN_PROGRESS).count();
        for (var t : wave.tasks()) {
            if (state.get(t.task()) != Wave.TaskState.WAITING) {
                continue;
            }
            var deps = dependencies(wave, t.task(), state, statuses);
            if (deps == Readiness.BLOCKED) {
                move(wave, t.task(), Wave.TaskState.WAITING, Wave.TaskState.BLOCKED, null, "a task it depends on failed");
                state.put(t.task(), Wave.TaskState.BLOCKED);
            } else if (deps == Readiness.MET && inProgress < wave.maxParallel()) {
                state.put(t.task(), start(wave, t.task()));
                if (state.get(t.task()) == Wave.TaskState.IN_PROGRESS) {
                    inProgress++;
                }
            }
        }
        if (inProgress > 0) {
            return;
        }
        // Tasks are stored in dependency order, so this pass already started or blocked all it could: whatever
        // still waits, waits (perhaps through others in the wave) on a task outside the wave that is not done.
        for (var e : state.entrySet()) {
            if (e.getValue() == Wave.TaskState.WAITING) {
                move(wave, e.getKey(), Wave.TaskState.WAITING, Wave.TaskState.BLOCKED, null,
                        "it waits on a task outside the wave that is not done");
                e.setValue(Wave.TaskState.BLOCKED);
            }
        }
        boolean allDone = state.values().stream().allMatch(s -> s == Wave.TaskState.DONE);
        waves.finish(wave.id(), allDone ? Wave.Status.SUCCEEDED : Wave.Status.FAILED, clock.instant());
    }

    private enum Readiness { MET, WAITING_INSIDE, WAITING_OUTSIDE, BLOCKED }

    /** Whether a waiting task's dependencies let it start: tasks inside the wave by their wave state, others by status. */
    private Readiness dependencies(Wave wave, long task, Map<Long, Wave.TaskState> state, Map<Long, TaskStatus> statuses) {
        Block block = board.block(wave.workspace(), task);
        Readiness result = Readiness.MET;
        for (long dep : block.dependsOn()) {
            Wave.TaskState inWave = state.get(dep);
            if (inWave != null) {
                if (inWave == Wave.TaskState.FAILED || inWave == Wave.TaskState.BLOCKED) {
                    return Readiness.BLOCKED;
                }
                if (inWave != Wave.TaskState.DONE) {
                    result = Readiness.WAITING_INSIDE;
                }
            } else if (statuses.containsKey(dep) && !statuses.get(dep).meetsDependents() && result == Readiness.MET) {
                result = Readiness.WAITING_OUTSIDE;
            }
        }
        return result;
    }

    /** An in-progress task whose run ended becomes done or failed. */
    private Wave.TaskState settle(Wave wave, Wave.Task t) {
        var run = t.run() == null ? null : queries.run(wave.workspace(), t.run()).orElse(null);
        if (run == null) {
            return t.state();
        }
        var status = RunStatus.fromWire(run.status());
        if (status == RunStatus.SUCCEEDED) {
            return move(wave, t.task(), t.state(), Wave.TaskState.DONE, t.run(), null);
        }
        if (status == RunStatus.FAILED || status == RunStatus.CANCELED) {
            return move(wave, t.task(), t.state(), Wave.TaskState.FAILED, t.run(), "run " + t.run() + " " + status.wireName());
        }
        return t.state();
    }

    private Wave.TaskState start(Wave wave, long task) {
        try {
            var started = board.start(wave.workspace(), task, "wave:" + wave.id() + ":" + task);
            return move(wave, task, Wave.TaskState.WAITING, Wave.TaskState.IN_PROGRESS, started.runId(), null);
        } catch (RuntimeException e) {
            // a task that cannot start (no pipeline, a pipeline removed, bad inputs) fails; its dependents are blocked
            log.info("wave {} could not start task {}: {}", wave.id(), task, e.getMessage());
            return move(wave, task, Wave.TaskState.WAITING, Wave.TaskState.FAILED, null, e.getMessage());
        }
    }

    private Wave.TaskState move(Wave wave, long task, Wave.TaskState from, Wave.TaskState to, Long run, String error) {
        return waves.moveTask(wave.id(), task, from, to, run, error) ? to : from;
    }
}
