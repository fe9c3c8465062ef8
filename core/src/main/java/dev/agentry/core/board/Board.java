package dev.agentry.core.board;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.engine.Views;
import dev.agentry.core.repo.RepositoryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The board's use cases: editing blocks, reading them with their derived status, starting and planning tasks. */
public final class Board {
    private final BoardStore store;
    private final RunQueries queries;
    private final Engine engine;
    private final RepositoryStore repositories;

    public Board(BoardStore store, RunQueries queries, Engine engine, RepositoryStore repositories) {
        this.store = store;
        this.queries = queries;
        this.engine = engine;
        this.repositories = repositories;
    }

    /** A block as the board shows it: a task with its derived status and latest run, other blocks with neither. */
    public record BlockView(Block block, TaskStatus status, Long latestRun) {}

    public BlockView create(String workspace, BoardStore.Fields fields) {
        check(workspace, fields);
        return view(workspace, store.create(workspace, fields).id());
    }

    public BlockView update(String workspace, long id, BoardStore.Fields fields) {
        check(workspace, fields);
        store.update(workspace, id, fields);
        return view(workspace, id);
    }

    public Block block(String workspace, long id) {
        return store.find(workspace, id).orElseThrow(() -> unknown("id", id));
    }

    public void delete(String workspace, long id) {
        if (!store.delete(workspace, id)) {
            throw unknown("id", id);
        }
    }

    public void addEdge(String workspace, long from, long to) {
        store.addEdge(workspace, from, to);
    }

    public void removeEdge(String workspace, long from, long to) {
        block(workspace, from);
        if (!store.removeEdge(workspace, from, to)) {
            throw new NotFound("dependsOn", "block " + from + " does not depend on block " + to);
        }
    }

    public BlockView view(String workspace, long id) {
        return views(workspace).stream().filter(v -> v.block().id() == id).findFirst().orElseThrow(() -> unknown("id", id));
    }

    /** Every block of the workspace, tasks with their status. */
    public List<BlockView> views(String workspace) {
        var blocks = store.list(workspace);
        var statuses = statuses(workspace, blocks);
        var latest = store.latestRuns(workspace);
        return blocks.stream().map(b -> new BlockView(b, statuses.get(b.id()), latest.get(b.id()))).toList();
    }

    /** The derived status of every task among {@code blocks} (the workspace's whole board). */
    private Map<Long, TaskStatus> statuses(String workspace, List<Block> blocks) {
        var latest = store.latestRuns(workspace);
        var byId = new HashMap<Long, Block>();
        blocks.forEach(b -> byId.put(b.id(), b));
        var runs = new HashMap<Long, Views.RunView>();
        latest.forEach((task, run) -> queries.run(workspace, run).ifPresent(v -> runs.put(task, v)));
        // first what runs say, then planned or ready, which needs the status of the tasks depended on
        var fromRuns = new HashMap<Long, TaskStatus>();
        runs.forEach((task, run) -> fromRuns.put(task, TaskStatus.of(byId.get(task), run, true)));
        var statuses = new LinkedHashMap<Long, TaskStatus>();
        for (var b : blocks) {
            if (b.kind() != BlockKind.TASK) {
                continue;
            }
            TaskStatus s = fromRuns.get(b.id());
            if (s == null) {
                boolean met = b.dependsOn().stream().map(byId::get)
                        .filter(d -> d != null && d.kind() == BlockKind.TASK)
                        .allMatch(d -> fromRuns.containsKey(d.id()) && fromRuns.get(d.id()).meetsDependents());
                s = TaskStatus.of(b, null, met);
            }
            statuses.put(b.id(), s);
        }
        return statuses;
    }

    /** Statuses of the workspace's tasks, for the wave duty. */
    public Map<Long, TaskStatus> taskStatuses(String workspace) {
        return statuses(workspace, store.list(workspace));
    }

    /**
     * Starts the task's pipeline with inputs {@code task} (its name) and {@code description}, those of the two the
     * pipeline takes, on its service's repository, and records the run as the task's.
     */
    public Engine.Started start(String workspace, long id, String idempotencyKey) {
        Block task = block(workspace, id);
        if (task.kind() != BlockKind.TASK) {
            throw new BoardRefused(BoardRefused.Reason.INVALID, "id", "block " + id + " is a " + task.kind().wireName()
                    + "; only tasks run pipelines");
        }
        if (task.pipeline() == null) {
            throw new BoardRefused(BoardRefused.Reason.CONFLICT, "pipeline", "task '" + task.name()
                    + "' has no pipeline yet; choose one (PATCH the block with a pipeline) before starting it");
        }
        var takes = engine.pipeline(workspace, task.pipeline(), null).definition().inputs().keySet();
        var inputs = new HashMap<String, String>();
        if (takes.contains("task")) {
            inputs.put("task", task.name());
        }
        if (takes.contains("description")) {
            inputs.put("description", task.description());
        }
        var started = engine.start(workspace, task.pipeline(), null, inputs, idempotencyKey, serviceRepository(workspace, task));
        store.linkRun(id, started.runId());
        return started;
    }

    private String serviceRepository(String workspace, Block block) {
        Block at = block;
        while (at.parent() != null) {
            at = block(workspace, at.parent());
        }
        return at.kind() == BlockKind.SERVICE ? at.repository() : null;
    }

    /** A plan: dependency layers, and the same tasks cut into waves of at most maxParallel. */
    public record Plan(List<List<Long>> layers, List<List<Long>> waves, Map<Long, List<Long>> blockedBy) {}

    /**
     * Plans running {@code tasks}: each layer depends only on earlier ones. A dependency outside the set that has
     * not finished blocks its dependents, which {@code blockedBy} lists.
     */
    public Plan plan(String workspace, List<Long> tasks, int maxParallel) {
        if (maxParallel < 1) {
            throw new BoardRefused(BoardRefused.Reason.INVALID, "maxParallel", "maxParallel must be at least 1");
        }
        if (tasks.isEmpty()) {
            throw new BoardRefused(BoardRefused.Reason.INVALID, "tasks", "name at least one task");
        }
        var blocks = store.list(workspace);
        var byId = new HashMap<Long, Block>();
        blocks.forEach(b -> byId.put(b.id(), b));
        for (long t : tasks) {
            Block b = byId.get(t);
            if (b == null) {
                throw unknown("tasks", t);
            }
            if (b.kind() != BlockKind.TASK) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "tasks", "block " + t + " ('" + b.name() + "') is a "
                        + b.kind().wireName() + ", not a task");
            }
        }
        var edges = new HashMap<Long, List<Long>>();
        blocks.forEach(b -> edges.put(b.id(), b.dependsOn()));
        var layers = new Dependencies(edges).layers(tasks, id -> byId.get(id).name());
        var statuses = statuses(workspace, blocks);
        var blockedBy = new LinkedHashMap<Long, List<Long>>();
        for (long t : tasks) {
            var outside = byId.get(t).dependsOn().stream()
                    .filter(d -> !tasks.contains(d) && statuses.containsKey(d) && !statuses.get(d).meetsDependents())
                    .toList();
            if (!outside.isEmpty()) {
                blockedBy.put(t, outside);
            }
        }
        var waves = new ArrayList<List<Long>>();
        for (var layer : layers) {
            for (int i = 0; i < layer.size(); i += maxParallel) {
                waves.add(layer.subList(i, Math.min(layer.size(), i + maxParallel)));
            }
        }
        return new Plan(layers, waves, blockedBy);
    }

    private void check(String workspace, BoardStore.Fields f) {
        if (f.repository() != null) {
            if (f.kind() != BlockKind.SERVICE) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "repository", "only a service names a repository");
            }
            if (repositories.find(workspace, f.repository()).isEmpty()) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "repository", "no repository '" + f.repository()
                        + "' is registered in workspace '" + workspace + "'");
            }
        }
        if (f.pipeline() != null) {
            if (f.kind() != BlockKind.TASK) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "pipeline", "only a task runs a pipeline");
            }
            engine.pipeline(workspace, f.pipeline(), null); // NotFound names it
        }
    }

    static NotFound unknown(String field, long id) {
        return new NotFound(field, "no block " + id + " in this workspace");
    }
}
