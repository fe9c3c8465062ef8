package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.RunStore;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.Views;
import dev.agentry.core.event.EventFilter;
import dev.agentry.core.event.EventLog;
import dev.agentry.core.event.LoggedEvent;
import dev.agentry.core.event.NewEvent;
import dev.agentry.core.event.Snapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The event log in PostgreSQL: see {@code sql/event.sql} for how ids are given in commit order. */
public final class PostgresEventLog implements EventLog {
    /** Runs a snapshot carries at most; a workspace with more in flight gets the started ones and the newest. */
    static final int SNAPSHOT_RUNS = 1_000;

    private final Database db;
    private final Signals signals;
    private final Clock clock;
    private static final Sql eventSql = Sql.load("event");
    private final Sql runSql = Sql.load("run");
    private final Sql stepSql = Sql.load("step");
    private final Sql decisionSql = Sql.load("decision");
    private final Sql attentionSql = Sql.load("attention");

    public PostgresEventLog(Database db, Signals signals, Clock clock) {
        this.db = db;
        this.signals = signals;
        this.clock = clock;
    }

    @Override
    public int sequence(int limit) {
        if (!db.read(this::hasUnsequenced)) {
            return 0; // the common idle case costs one index probe, no lock and no commit
        }
        return db.inTransaction(c -> sequence(c, limit));
    }

    private static int sequence(Connection c, int limit) throws SQLException {
        try (var ps = eventSql.prepare(c, "EventSequence", params("limit", limit))) {
            ps.execute(); // the lock
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("EventSequence gave no result for its numbering");
            }
            try (ResultSet rs = ps.getResultSet()) {
                return rs.next() ? rs.getInt("numbered") : 0;
            }
        }
    }

    @Override
    public Position position() {
        return db.read(this::position);
    }

    private Position position(Connection c) throws SQLException {
        try (var ps = eventSql.prepare(c, "EventGetPosition", Map.of()); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Position(rs.getLong("last_id"), rs.getLong("pruned_through"));
        }
    }

    @Override
    public Page read(long after, EventFilter filter, int limit) {
        return db.read(c -> {
            Position position = null;
            var events = new ArrayList<LoggedEvent>();
            try (var ps = eventSql.prepare(c, "EventListAfter", params("after", after, "workspace", filter.workspace(),
                    "run_id", filter.run(), "types", filter.likePatterns().toArray(String[]::new), "limit", limit));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    position = new Position(rs.getLong("last_id"), rs.getLong("pruned_through"));
                    if (Rows.nullableLong(rs, "id") != null) {
                        events.add(event(rs));
                    }
                }
            }
            return new Page(events, position);
        });
    }

    @Override
    public List<LoggedEvent> forRun(String workspace, long run, String step, EventFilter types, long after, int limit) {
        return db.read(c -> eventSql.list(c, "EventListForRun", params("workspace", workspace, "run_id", run,
                "step_id", step, "types", types.likePatterns().toArray(String[]::new), "after", after, "limit", limit),
                PostgresEventLog::event));
    }

    private static LoggedEvent event(ResultSet rs) throws SQLException {
        return new LoggedEvent(rs.getLong("id"), Rows.instant(rs, "ts"), rs.getString("workspace"), rs.getString("type"),
                Rows.nullableLong(rs, "run_id"), rs.getString("step_id"), Rows.nullableInt(rs, "attempt"),
                rs.getString("data"));
    }

    @Override
    public Snapshot snapshot(String workspace, Long run) {
        var snapshot = db.readConsistent(c -> hasUnsequenced(c) ? null : snapshot(c, workspace, run));
        if (snapshot != null) {
            return snapshot;
        }
        // Changes committed whose events have no ids yet would be in the snapshot but after its position. So
        // number them in the snapshot's own transaction: under REPEATABLE READ it numbers exactly the batches
        // its reads see, and batches committed later are neither numbered nor seen.
        return db.inRepeatableRead(c -> {
            sequence(c, Integer.MAX_VALUE);
            return snapshot(c, workspace, run);
        });
    }

    private boolean hasUnsequenced(Connection c) throws SQLException {
        try (var ps = eventSql.prepare(c, "EventHasUnsequenced", Map.of()); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private Snapshot snapshot(Connection c, String workspace, Long run) throws SQLException {
        long position = position(c).last();
        List<Views.RunView> heads = run != null
                ? runSql.list(c, "RunGetAnyStatus", params("workspace", workspace, "id", run), rs -> PostgresRunQueries.run(rs, List.of()))
                : runSql.list(c, "RunListInFlight", params("workspace", workspace, "limit", SNAPSHOT_RUNS + 1),
                        rs -> PostgresRunQueries.run(rs, List.of()));
        boolean truncated = heads.size() > SNAPSHOT_RUNS;
        if (truncated) {
            heads = heads.subList(0, SNAPSHOT_RUNS);
        }
        var steps = new LinkedHashMap<Long, List<Views.StepView>>();
        try (var ps = stepSql.prepare(c, "StepListForRuns", params("run_ids", heads.stream().map(Views.RunView::id).toArray(Long[]::new)));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                steps.computeIfAbsent(rs.getLong("run_id"), k -> new ArrayList<>()).add(PostgresRunQueries.step(rs));
            }
        }
        var runs = heads.stream().map(r -> new Views.RunView(r.id(), r.workspace(), r.pipeline(), r.version(), r.status(),
                r.inputs(), r.error(), r.idempotencyKey(), r.rerunOf(), r.createdAt(), r.startedAt(), r.finishedAt(),
                r.repository(), r.branch(), steps.getOrDefault(r.id(), List.of()))).toList();
        var decisions = decisionSql.list(c, "DecisionListPending", params("workspace", workspace, "run_id", run, "limit", 1_000),
                PostgresRunQueries::decision);
        var attention = attentionSql.list(c, "AttentionList", params("workspace", workspace, "status", "open", "run_id", run,
                "limit", 1_000), PostgresAttention::attention);
        return new Snapshot(position, clock.instant(), runs, decisions, attention, truncated);
    }

    @Override
    public void append(List<NewEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        db.singleStatement(c -> {
            append(c, events, clock.instant());
            return null;
        });
        signals.raise(RunStore.Signal.EVENTS_WRITTEN);
    }

    /** Appends events inside the caller's transaction (stores that write a change and its events together). */
    static void append(Connection c, List<NewEvent> events, Instant now) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (var ps = eventSql.prepare(c, "EventAppend", params("now", now,
                "workspaces", events.stream().map(NewEvent::workspace).toArray(String[]::new),
                "types", events.stream().map(NewEvent::type).toArray(String[]::new),
                "run_ids", events.stream().map(NewEvent::run).toArray(Long[]::new),
                "step_ids", events.stream().map(NewEvent::step).toArray(String[]::new),
                "attempts", events.stream().map(NewEvent::attempt).toArray(Integer[]::new),
                "data", events.stream().map(e -> Json.write(e.data())).toArray(String[]::new)))) {
            ps.executeUpdate();
        }
    }

    @Override
    public int prune(Instant before, int limit) {
        return db.singleStatement(c -> {
            try (var ps = eventSql.prepare(c, "EventPrune", params("before", before, "limit", limit))) {
                return ps.executeUpdate();
            }
        });
    }
}
