package dev.agentry.core.board;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The blocks of every workspace's board, their dependency edges and the runs started for tasks. Every write
 * is one transaction that checks the board's rules against what it reads inside it, so nothing half-written
 * or rule-breaking is ever stored.
 */
public interface BoardStore {
    /** A block's own fields, as created or as an edit leaves them. */
    record Fields(BlockKind kind, Long parent, String name, String description, String repository, String pipeline) {}

    /** Creates a block; refuses a parent of the wrong kind and a parent not in {@code workspace} (NotFound). */
    Block create(String workspace, Fields fields);

    Optional<Block> find(String workspace, long id);

    List<Block> list(String workspace);

    /** Replaces a block's fields (its kind stays), checking its parent as {@link #create} does. */
    Block update(String workspace, long id, Fields fields);

    /** Deletes the block, the blocks under it and every edge touching them; false when there was none. */
    boolean delete(String workspace, long id);

    /** Records that {@code from} depends on {@code to}; refuses self edges, cycles and unknown ids. */
    void addEdge(String workspace, long from, long to);

    boolean removeEdge(String workspace, long from, long to);

    /** Records that {@code run} was started for {@code task}; recording it again changes nothing. */
    void linkRun(long task, long run);

    /** Every task of the workspace that has a run, with its latest run's id. */
    Map<Long, Long> latestRuns(String workspace);
}
