package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.board.Wave;
import dev.agentry.core.board.WaveStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Waves and their tasks in PostgreSQL. */
public final class PostgresWaves implements WaveStore {
    private final Database db;
    private final Clock clock;
    private final Sql waves = Sql.load("wave");
    private final Sql tasks = Sql.load("wave_task");

    public PostgresWaves(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private record Head(long id, String workspace, int maxParallel, Wave.Status status, Instant createdAt, Instant finishedAt) {}

    @Override
    public Wave create(String workspace, int maxParallel, List<Long> taskIds) {
        return db.inTransaction(c -> {
            Head head = waves.list(c, "WaveInsert", params("workspace", workspace, "max_parallel", maxParallel,
                    "now", clock.instant()), PostgresWaves::head).get(0);
            var positions = new Integer[taskIds.size()];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            try (var ps = tasks.prepare(c, "WaveTaskInsertMany", params("wave", head.id(),
                    "tasks", taskIds.toArray(Long[]::new), "positions", positions))) {
                ps.executeUpdate();
            }
            return withTasks(c, head);
        });
    }

    @Override
    public Optional<Wave> find(String workspace, long id) {
        return db.read(c -> {
            var head = waves.list(c, "WaveGet", params("workspace", workspace, "id", id), PostgresWaves::head);
            return head.isEmpty() ? Optional.<Wave>empty() : Optional.of(withTasks(c, head.get(0)));
        });
    }

    @Override
    public List<Wave> recent(String workspace, int limit) {
        return db.read(c -> {
            var heads = waves.list(c, "WaveListRecent", params("workspace", workspace, "limit", limit), PostgresWaves::head);
            // the tasks of every listed wave in one statement, not one per wave
            var byWave = tasks.list(c, "WaveTaskListByWaves", params("waves", heads.stream().map(Head::id).toArray(Long[]::new)),
                    rs -> Map.entry(rs.getLong("wave"), task(rs))).stream()
                    .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
            return heads.stream().map(h -> wave(h, byWave.getOrDefault(h.id(), List.of()))).toList();
        });
    }

    @Override
    public List<Wave> claim(String node, Instant now, Instant until) {
        return db.inTransaction(c -> {
            var claimed = new ArrayList<Wave>();
            for (var head : waves.list(c, "WaveClaim", params("node", node, "now", now, "until", until), PostgresWaves::head)) {
                claimed.add(withTasks(c, head));
            }
            return claimed;
        });
    }

    @Override
    public void release(String node) {
        db.inTransaction(c -> {
            try (var ps = waves.prepare(c, "WaveRelease", params("node", node))) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean moveTask(long wave, long task, Wave.TaskState from, Wave.TaskState to, Long run, String error) {
        return db.inTransaction(c -> {
            try (var ps = tasks.prepare(c, "WaveTaskMove", params("wave", wave, "task", task, "from_status", from.wireName(),
                    "to_status", to.wireName(), "run", run, "error", error))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void finish(long wave, Wave.Status status, Instant at) {
        db.inTransaction(c -> {
            try (var ps = waves.prepare(c, "WaveFinish", params("id", wave, "status", status.wireName(), "now", at))) {
                return ps.executeUpdate();
            }
        });
    }

    private Wave withTasks(Connection c, Head h) throws SQLException {
        return wave(h, tasks.list(c, "WaveTaskListByWave", params("wave", h.id()), PostgresWaves::task));
    }

    private static Wave wave(Head h, List<Wave.Task> tasks) {
        return new Wave(h.id(), h.workspace(), h.maxParallel(), h.status(), h.createdAt(), h.finishedAt(), tasks);
    }

    private static Wave.Task task(ResultSet rs) throws SQLException {
        return new Wave.Task(rs.getLong("task"), rs.getInt("position"), Wave.TaskState.fromWire(rs.getString("status")),
                Rows.nullableLong(rs, "run"), rs.getString("error"));
    }

    private static Head head(ResultSet rs) throws SQLException {
        return new Head(rs.getLong("id"), rs.getString("workspace"), rs.getInt("max_parallel"),
                Wave.Status.fromWire(rs.getString("status")), Rows.instant(rs, "created_at"), Rows.instant(rs, "finished_at"));
    }
}
