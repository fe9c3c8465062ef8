package dev.agentry.core.board;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Waves and the state of their tasks. Only {@link AdvanceWaves} moves a wave or its tasks on. */
public interface WaveStore {
    /** Stores a new running wave whose tasks all wait, in the given order. */
    Wave create(String workspace, int maxParallel, List<Long> tasks);

    Optional<Wave> find(String workspace, long id);

    /** The workspace's most recent waves, newest first, at most {@code limit}. */
    List<Wave> recent(String workspace, int limit);

    /**
     * Claims the running waves no other node holds (or whose lease ran out) for {@code node} until {@code until},
     * and returns them: one node at a time advances a wave, so two cannot both fill its last free slot.
     */
    List<Wave> claim(String node, Instant now, Instant until);

    /** Lets go of every wave {@code node} holds, so another node may take them over at once. */
    void release(String node);

    /** Moves a task from {@code from} to {@code to}; false when it was not in {@code from} any more. */
    boolean moveTask(long wave, long task, Wave.TaskState from, Wave.TaskState to, Long run, String error);

    void finish(long wave, Wave.Status status, Instant at);
}
