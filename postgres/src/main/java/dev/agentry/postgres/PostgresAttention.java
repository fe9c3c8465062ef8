package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.column;
import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.AttentionStore;
import dev.agentry.core.engine.RunStore;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.Views;
import dev.agentry.core.event.NewEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Attention items and step liveness in PostgreSQL; each change and its events commit together. */
public final class PostgresAttention implements AttentionStore {
    private final Database db;
    private final Signals signals;
    private final Clock clock;
    private final Sql attentionSql = Sql.load("attention");
    private final Sql stepSql = Sql.load("step");

    public PostgresAttention(Database db, Signals signals, Clock clock) {
        this.db = db;
        this.signals = signals;
        this.clock = clock;
    }

    @Override
    public List<Views.AttentionView> list(String workspace, String status, Long run, int limit) {
        return db.read(c -> attentionSql.list(c, "AttentionList", params("workspace", workspace, "status", status,
                "run_id", run, "limit", limit), PostgresAttention::attention));
    }

    @Override
    public Optional<Views.AttentionView> get(String workspace, long id) {
        return db.read(c -> attentionSql.list(c, "AttentionGet", params("workspace", workspace, "id", id),
                PostgresAttention::attention)).stream().findFirst();
    }

    @Override
    public Optional<Views.AttentionView> resolve(String workspace, long id, String by, String note) {
        if (get(workspace, id).isEmpty()) {
            return Optional.empty();
        }
        if (db.inTransaction(c -> resolve(c, new Long[] {id}, by, note == null ? "resolved by hand" : note, clock.instant())) > 0) {
            signals.raise(RunStore.Signal.EVENTS_WRITTEN);
        }
        return get(workspace, id);
    }

    /** Resolves the open items among {@code ids}, with their attention.resolved events. */
    private int resolve(Connection c, Long[] ids, String by, String resolution, Instant now) throws SQLException {
        var events = new ArrayList<NewEvent>();
        try (var ps = attentionSql.prepare(c, "AttentionResolve", params("ids", ids, "now", now, "resolved_by", by,
                "resolution", resolution)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                var data = new LinkedHashMap<String, Object>();
                data.put("id", rs.getLong("id"));
                data.put("kind", rs.getString("type"));
                data.put("resolvedBy", rs.getString("resolved_by"));
                data.put("resolution", rs.getString("resolution"));
                events.add(new NewEvent(rs.getString("workspace"), "attention.resolved", Rows.nullableLong(rs, "run_id"),
                        rs.getString("step_id"), Rows.nullableInt(rs, "attempt"), data));
            }
        }
        PostgresEventLog.append(c, events, now);
        return events.size();
    }

    @Override
    public int checkLiveness(Instant silentBefore) {
        Instant now = clock.instant();
        int changes = db.inTransaction(c -> {
            int changed = 0;
            var events = new ArrayList<NewEvent>();
            var raise = new ArrayList<Object[]>();
            for (var s : liveness(c, "StepMarkStalled", silentBefore)) {
                var silentFor = Duration.between(s.heartbeatAt(), now);
                events.add(new NewEvent(s.workspace(), "liveness.changed", s.run(), s.step(), s.attempt(),
                        Map.of("alive", false, "lastHeartbeat", s.heartbeatAt().toString(), "node", s.node())));
                raise.add(new Object[] {s.workspace(), "stalled", s.run(), s.step(), s.attempt(),
                        "step " + s.step() + " of run " + s.run() + " has shown no sign of life for "
                                + dev.agentry.core.pipeline.Durations.format(Duration.ofMillis(silentFor.toMillis())),
                        Json.write(Map.of("lastHeartbeat", s.heartbeatAt().toString(), "node", s.node()))});
            }
            if (!raise.isEmpty()) {
                try (var ps = attentionSql.prepare(c, "AttentionRaise", params("now", now,
                        "workspaces", column(raise, 0, String[]::new), "types", column(raise, 1, String[]::new),
                        "run_ids", column(raise, 2, Long[]::new), "step_ids", column(raise, 3, String[]::new),
                        "attempts", column(raise, 4, Integer[]::new), "summaries", column(raise, 5, String[]::new),
                        "data", column(raise, 6, String[]::new))); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new NewEvent(rs.getString("workspace"), "attention.raised", rs.getLong("run_id"),
                                rs.getString("step_id"), rs.getInt("attempt"), Map.of("id", rs.getLong("id"),
                                        "kind", rs.getString("type"), "summary", rs.getString("summary"))));
                    }
                }
            }
            for (var s : liveness(c, "StepMarkAlive", silentBefore)) {
                events.add(new NewEvent(s.workspace(), "liveness.changed", s.run(), s.step(), s.attempt(),
                        Map.of("alive", true, "lastHeartbeat", s.heartbeatAt().toString(), "node", s.node())));
            }
            changed += events.size();
            PostgresEventLog.append(c, events, now);
            // Items of attempts that recovered or ended: the condition they describe is gone.
            var over = attentionSql.list(c, "AttentionListStalledResolvable", Map.of(),
                    rs -> rs.getLong("id"));
            if (!over.isEmpty()) {
                changed += resolve(c, over.toArray(Long[]::new), "agentry", "the step showed signs of life again or ended", now);
            }
            return changed;
        });
        if (changes > 0) {
            signals.raise(RunStore.Signal.EVENTS_WRITTEN);
        }
        return changes;
    }

    private record Liveness(String workspace, long run, String step, int attempt, Instant heartbeatAt, String node) {}

    private List<Liveness> liveness(Connection c, String statement, Instant silentBefore) throws SQLException {
        return stepSql.list(c, statement, params("silent_before", silentBefore), rs -> new Liveness(rs.getString("workspace"),
                rs.getLong("run_id"), rs.getString("step_id"), rs.getInt("attempts"), Rows.instant(rs, "heartbeat_at"),
                String.valueOf(rs.getString("lease_owner"))));
    }


    static Views.AttentionView attention(ResultSet rs) throws SQLException {
        return new Views.AttentionView(rs.getLong("id"), rs.getString("workspace"), rs.getString("type"),
                rs.getString("status"), Rows.nullableLong(rs, "run_id"), rs.getString("step_id"),
                Rows.nullableInt(rs, "attempt"), rs.getString("summary"), Json.object(rs.getString("data")),
                Rows.instant(rs, "raised_at"), Rows.instant(rs, "resolved_at"), rs.getString("resolved_by"),
                rs.getString("resolution"));
    }
}
