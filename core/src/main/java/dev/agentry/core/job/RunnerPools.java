package dev.agentry.core.job;

import java.util.List;
import java.util.Optional;

/**
 * The runner pools a node dispatches jobs to, as registered now: the built-in {@code local} pool and the
 * registered ones. A node asks again every time it looks for work, so a pool registered on another node is
 * picked up without a restart.
 */
public interface RunnerPools {

    /**
     * A pool with its adapter.
     *
     * @param slots     jobs this node runs on the pool at once; ready steps beyond that wait in the queue
     * @param isDefault whether steps that name no pool and no labels run here
     */
    record Pool(String name, int slots, List<String> labels, boolean isDefault, RunnerPool adapter) {
        public Pool {
            labels = List.copyOf(labels);
        }
    }

    List<Pool> current();

    /** Pools that never change: for embedding the engine (benchmarks, tests) without registrations. */
    static RunnerPools fixed(Pool... pools) {
        var list = List.of(pools);
        return () -> list;
    }

    default Optional<Pool> find(String name) {
        return current().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
