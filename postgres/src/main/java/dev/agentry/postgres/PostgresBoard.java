package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.board.Block;
import dev.agentry.core.board.BlockKind;
import dev.agentry.core.board.BoardStore;
import dev.agentry.core.board.Dependencies;
import dev.agentry.core.engine.NotFound;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The boards of every workspace in PostgreSQL. Each write takes the workspace's board lock first, so the rules
 * it checks (parent kinds, no cycles) hold against edits made at the same time.
 */
public final class PostgresBoard implements BoardStore {
    private final Database db;
    private final Clock clock;
    private final Sql blocks = Sql.load("block");
    private final Sql edges = Sql.load("block_edge");
    private final Sql runs = Sql.load("block_run");

    public PostgresBoard(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Block create(String workspace, Fields f) {
        return db.inTransaction(c -> {
            lock(c, workspace);
            checkParent(c, workspace, f.kind(), f.parent());
            long id = blocks.list(c, "BlockInsert", params("workspace", workspace, "kind", f.kind().wireName(),
                    "parent", f.parent(), "name", f.name(), "description", f.description(), "repository", f.repository(),
                    "pipeline", f.pipeline(), "now", clock.instant()), rs -> rs.getLong("id")).get(0);
            return get(c, workspace, id).orElseThrow();
        });
    }

    @Override
    public Optional<Block> find(String workspace, long id) {
        return db.read(c -> get(c, workspace, id));
    }

    @Override
    public List<Block> list(String workspace) {
        return db.read(c -> blocks.list(c, "BlockList", params("workspace", workspace), PostgresBoard::block));
    }

    @Override
    public Block update(String workspace, long id, Fields f) {
        return db.inTransaction(c -> {
            lock(c, workspace);
            Block current = get(c, workspace, id).orElseThrow(() -> unknown("id", id));
            if (f.parent() != null && f.parent() == id) {
                throw new dev.agentry.core.board.BoardRefused(dev.agentry.core.board.BoardRefused.Reason.INVALID, "parent",
                        "a block cannot sit under itself");
            }
            checkParent(c, workspace, current.kind(), f.parent());
            try (var ps = blocks.prepare(c, "BlockUpdate", params("workspace", workspace, "id", id, "parent", f.parent(),
                    "name", f.name(), "description", f.description(), "repository", f.repository(), "pipeline", f.pipeline(),
                    "now", clock.instant()))) {
                ps.executeUpdate();
            }
            return get(c, workspace, id).orElseThrow();
        });
    }

    @Override
    public boolean delete(String workspace, long id) {
        return db.inTransaction(c -> {
            lock(c, workspace);
            try (var ps = blocks.prepare(c, "BlockDelete", params("workspace", workspace, "id", id))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void addEdge(String workspace, long from, long to) {
        db.inTransaction(c -> {
            lock(c, workspace);
            Block a = get(c, workspace, from).orElseThrow(() -> unknown("id", from));
            Block b = get(c, workspace, to).orElseThrow(() -> unknown("dependsOn", to));
            var graph = new HashMap<Long, List<Long>>();
            edges.list(c, "BlockEdgeListByWorkspace", params("workspace", workspace), rs -> {
                graph.computeIfAbsent(rs.getLong("from_block"), k -> new ArrayList<>()).add(rs.getLong("to_block"));
                return null;
            });
            Map<Long, String> names = new HashMap<>();
            blocks.list(c, "BlockList", params("workspace", workspace), PostgresBoard::block)
                    .forEach(x -> names.put(x.id(), x.name()));
            new Dependencies(graph).checkEdge(a.id(), b.id(), id -> names.getOrDefault(id, String.valueOf(id)));
            try (var ps = edges.prepare(c, "BlockEdgeInsert", params("from_block", from, "to_block", to))) {
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean removeEdge(String workspace, long from, long to) {
        return db.inTransaction(c -> {
            lock(c, workspace);
            if (get(c, workspace, from).isEmpty()) {
                return false;
            }
            try (var ps = edges.prepare(c, "BlockEdgeDelete", params("from_block", from, "to_block", to))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void linkRun(long task, long run) {
        db.inTransaction(c -> {
            try (var ps = runs.prepare(c, "BlockRunInsert", params("block", task, "run", run, "now", clock.instant()))) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Map<Long, Long> latestRuns(String workspace) {
        var latest = new HashMap<Long, Long>();
        db.read(c -> runs.list(c, "BlockRunLatestByWorkspace", params("workspace", workspace), rs -> {
            latest.put(rs.getLong("block"), rs.getLong("run"));
            return null;
        }));
        return latest;
    }

    private void lock(Connection c, String workspace) throws SQLException {
        blocks.list(c, "BlockLockWorkspace", params("workspace", workspace), rs -> null);
    }

    private void checkParent(Connection c, String workspace, BlockKind kind, Long parent) throws SQLException {
        BlockKind parentKind = null;
        if (parent != null) {
            parentKind = get(c, workspace, parent).orElseThrow(() -> unknown("parent", parent)).kind();
        }
        kind.checkParent(parentKind);
    }

    private Optional<Block> get(Connection c, String workspace, long id) throws SQLException {
        return blocks.list(c, "BlockGet", params("workspace", workspace, "id", id), PostgresBoard::block).stream().findFirst();
    }

    private static NotFound unknown(String field, long id) {
        return new NotFound(field, "no block " + id + " in this workspace");
    }

    private static Block block(ResultSet rs) throws SQLException {
        Long[] deps = (Long[]) rs.getArray("depends_on").getArray();
        return new Block(rs.getLong("id"), rs.getString("workspace"), BlockKind.fromWire(rs.getString("kind")),
                Rows.nullableLong(rs, "parent"), rs.getString("name"), rs.getString("description"), rs.getString("repository"),
                rs.getString("pipeline"), List.copyOf(Arrays.asList(deps)), Rows.instant(rs, "created_at"));
    }
}
