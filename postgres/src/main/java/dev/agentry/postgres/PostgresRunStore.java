package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.Claim;
import dev.agentry.core.engine.PipelineStore;
import dev.agentry.core.engine.PipelineVersion;
import dev.agentry.core.engine.RunStore;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.pipeline.Template;
import dev.agentry.core.run.Event;
import dev.agentry.core.run.RunState;
import dev.agentry.core.run.RunStatus;
import dev.agentry.core.run.StepOutcome;
import dev.agentry.core.run.StepState;
import dev.agentry.core.run.StepStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs, steps, attempts, decisions and their events in PostgreSQL. A {@link #transact} loads runs with
 * their step rows locked, lets the engine change them, then writes every changed row of every run with
 * a handful of array statements (one per table, however many runs), events included, and commits.
 */
public final class PostgresRunStore implements RunStore {
    private final Database db;
    private final PipelineStore pipelines;
    private final Signals signals;
    private final Sql runSql = Sql.load("run");
    private final Sql stepSql = Sql.load("step");
    private final Sql attemptSql = Sql.load("step_attempt");
    private final Sql decisionSql = Sql.load("decision");
    private final Sql eventSql = Sql.load("event");

    public PostgresRunStore(Database db, PipelineStore pipelines, Signals signals) {
        this.db = db;
        this.pipelines = pipelines;
        this.signals = signals;
    }

    @Override
    public <T> T transact(Work<T> work) {
        var raised = EnumSet.noneOf(Signal.class);
        T result = db.inTransaction(c -> {
            raised.clear();
            var tx = new Tx(c, raised);
            T value = work.apply(tx);
            tx.flush();
            return value;
        });
        raised.forEach(signals::raise);
        return result;
    }

    private final class Tx implements Transaction {
        private final Connection c;
        private final Set<Signal> raised;
        private final Map<Long, RunState> runs = new LinkedHashMap<>();
        private final Set<Long> created = new TreeSet<>();
        /** Whether each loaded run counted as active in the database when it was loaded. */
        private final Map<Long, Boolean> storedActive = new java.util.HashMap<>();

        Tx(Connection c, Set<Signal> raised) {
            this.c = c;
            this.raised = raised;
        }

        @Override
        public Map<Long, RunState> lock(Collection<Long> runIds) {
            var wanted = new TreeSet<>(runIds);
            wanted.removeAll(runs.keySet());
            var result = new LinkedHashMap<Long, RunState>();
            if (!wanted.isEmpty()) {
                try {
                    loadLocked(wanted);
                } catch (SQLException e) {
                    throw new Database.DatabaseException(e);
                }
            }
            for (Long id : new TreeSet<>(runIds)) {
                RunState run = runs.get(id);
                if (run != null) {
                    result.put(id, run);
                }
            }
            return result;
        }

        private void loadLocked(Collection<Long> ids) throws SQLException {
            try (var ps = stepSql.prepare(c, "StepLockForRuns", params("run_ids", ids.toArray(Long[]::new)));
                 ResultSet rs = ps.executeQuery()) {
                long current = -1;
                List<StepState> steps = new ArrayList<>();
                RunHead head = null;
                while (rs.next()) {
                    long runId = rs.getLong("run_id");
                    if (runId != current) {
                        if (head != null) {
                            addRun(head, steps);
                        }
                        current = runId;
                        steps = new ArrayList<>();
                        head = new RunHead(runId, rs.getString("workspace"), rs.getLong("version_id"),
                                RunStatus.fromWire(rs.getString("run_status")), Json.strings(rs.getString("inputs")),
                                Rows.instant(rs, "run_created_at"), Rows.instant(rs, "run_started_at"),
                                Rows.instant(rs, "run_finished_at"), rs.getString("run_error"));
                    }
                    steps.add(new StepState(rs.getString("step_id"), StepStatus.fromWire(rs.getString("status")),
                            rs.getInt("attempts"), rs.getInt("failures"), rs.getInt("lost"), rs.getInt("key_generation"),
                            Rows.instant(rs, "ready_at"), Rows.instant(rs, "due_at"), Rows.instant(rs, "started_at"),
                            Rows.instant(rs, "finished_at"), rs.getString("lease_owner"), Json.strings(rs.getString("outputs")),
                            rs.getString("error"), Rows.nullableLong(rs, "decision_id")));
                }
                if (head != null) {
                    addRun(head, steps);
                }
            }
        }

        private record RunHead(long id, String workspace, long versionId, RunStatus status, Map<String, String> inputs,
                               Instant createdAt, Instant startedAt, Instant finishedAt, String error) {}

        private void addRun(RunHead h, List<StepState> steps) {
            var version = pipelines.byId(h.versionId());
            var run = new RunState(h.id(), h.workspace(), h.versionId(), version.definition(), h.inputs(), h.status(),
                    h.createdAt(), h.startedAt(), h.finishedAt(), h.error(), steps);
            run.useDecisionIds(this::nextDecisionId);
            runs.put(h.id(), run);
            storedActive.put(h.id(), h.status() == RunStatus.RUNNING || h.status() == RunStatus.NEEDS_YOU);
        }

        private long nextDecisionId() {
            try (var ps = decisionSql.prepare(c, "DecisionNextId", Map.of()); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
        }

        @Override
        public long insertRun(String workspace, PipelineVersion version, Map<String, String> inputs, String idempotencyKey,
                              Long rerunOf, Instant now) {
            try (var ps = runSql.prepare(c, "RunInsert", params("workspace", workspace, "pipeline", version.name(),
                    "version_id", version.id(), "inputs", Json.write(inputs), "idempotency_key", idempotencyKey,
                    "rerun_of", rerunOf, "now", now)); ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
            try (var ps = runSql.prepare(c, "RunGetIdByIdempotencyKey", params("workspace", workspace,
                    "idempotency_key", idempotencyKey)); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return -rs.getLong(1);
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
        }

        @Override
        public void track(RunState run) {
            run.useDecisionIds(this::nextDecisionId);
            runs.put(run.id(), run);
            created.add(run.id());
        }

        @Override
        public int lockAdmission(String workspace, String pipeline) {
            try {
                try (var ps = runSql.prepare(c, "RunLockAdmission", params("workspace", workspace, "pipeline", pipeline))) {
                    ps.execute();
                }
                int active;
                try (var ps = runSql.prepare(c, "RunCountActive", params("workspace", workspace, "pipeline", pipeline));
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    active = rs.getInt(1);
                }
                // The database does not see this transaction's unwritten changes yet; correct for them.
                for (RunState run : runs.values()) {
                    if (!run.workspace().equals(workspace) || !run.definition().name().equals(pipeline)) {
                        continue;
                    }
                    boolean activeNow = run.status() == RunStatus.RUNNING || run.status() == RunStatus.NEEDS_YOU;
                    boolean activeStored = !created.contains(run.id()) && storedActive.getOrDefault(run.id(), false);
                    active += (activeNow ? 1 : 0) - (activeStored ? 1 : 0);
                }
                return active;
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
        }

        @Override
        public List<Long> queuedRuns(String workspace, String pipeline, int limit) {
            var ids = new ArrayList<Long>();
            try (var ps = runSql.prepare(c, "RunListQueued", params("workspace", workspace, "pipeline", pipeline, "limit", limit));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
            ids.removeIf(id -> runs.containsKey(id) && runs.get(id).status() != RunStatus.QUEUED);
            return ids;
        }

        @Override
        public void signal(Signal signal) {
            raised.add(signal);
        }

        /** Writes what changed, one statement per table. */
        void flush() throws SQLException {
            if (runs.isEmpty()) {
                return;
            }
            insertSteps();
            updateSteps();
            updateRuns();
            finishAttempts();
            writeDecisions();
            insertEvents();
            for (Signal s : raised) {
                try (var ps = eventSql.prepare(c, "EventNotify", params("signal", s.name()))) {
                    ps.execute();
                }
            }
        }

        private void insertSteps() throws SQLException {
            var runIds = new ArrayList<Long>();
            var stepIds = new ArrayList<String>();
            var kinds = new ArrayList<String>();
            for (long id : created) {
                RunState run = runs.get(id);
                for (var def : run.definition().steps()) {
                    runIds.add(id);
                    stepIds.add(def.id());
                    kinds.add(def.action().kind());
                }
            }
            if (runIds.isEmpty()) {
                return;
            }
            String[] pending = new String[runIds.size()];
            java.util.Arrays.fill(pending, StepStatus.PENDING.wireName());
            try (var ps = stepSql.prepare(c, "StepInsertMany", params("run_ids", runIds.toArray(Long[]::new),
                    "step_ids", stepIds.toArray(String[]::new), "kinds", kinds.toArray(String[]::new), "statuses", pending))) {
                ps.executeUpdate();
            }
        }

        private void updateSteps() throws SQLException {
            var rows = new ArrayList<Object[]>();
            for (RunState run : runs.values()) {
                for (StepState s : run.steps()) {
                    if (s.changed()) {
                        rows.add(new Object[] {run.id(), s.stepId(), s.status().wireName(), s.attempts(), s.failures(),
                                s.lost(), s.keyGeneration(), Rows.text(s.readyAt()), Rows.text(s.dueAt()),
                                Rows.text(s.startedAt()), Rows.text(s.finishedAt()), s.leaseOwner(), Json.write(s.outputs()),
                                s.error(), s.decisionId()});
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            try (var ps = stepSql.prepare(c, "StepSetStateMany", params(
                    "run_ids", column(rows, 0, Long[]::new), "step_ids", column(rows, 1, String[]::new),
                    "statuses", column(rows, 2, String[]::new), "attempts", column(rows, 3, Integer[]::new),
                    "failures", column(rows, 4, Integer[]::new), "lost", column(rows, 5, Integer[]::new),
                    "key_generations", column(rows, 6, Integer[]::new), "ready_at", column(rows, 7, String[]::new),
                    "due_at", column(rows, 8, String[]::new), "started_at", column(rows, 9, String[]::new),
                    "finished_at", column(rows, 10, String[]::new), "lease_owners", column(rows, 11, String[]::new),
                    "outputs", column(rows, 12, String[]::new), "errors", column(rows, 13, String[]::new),
                    "decision_ids", column(rows, 14, Long[]::new)))) {
                ps.executeUpdate();
            }
        }

        private void updateRuns() throws SQLException {
            var changed = runs.values().stream().filter(RunState::changed).toList();
            if (changed.isEmpty()) {
                return;
            }
            try (var ps = runSql.prepare(c, "RunSetStateMany", params(
                    "ids", changed.stream().map(RunState::id).toArray(Long[]::new),
                    "statuses", changed.stream().map(r -> r.status().wireName()).toArray(String[]::new),
                    "started", changed.stream().map(r -> Rows.text(r.startedAt())).toArray(String[]::new),
                    "finished", changed.stream().map(r -> Rows.text(r.finishedAt())).toArray(String[]::new),
                    "errors", changed.stream().map(RunState::error).toArray(String[]::new)))) {
                ps.executeUpdate();
            }
        }

        private void finishAttempts() throws SQLException {
            var rows = new ArrayList<Object[]>();
            for (RunState run : runs.values()) {
                for (var end : run.attemptEnds()) {
                    rows.add(new Object[] {run.id(), end.stepId(), end.attempt(), end.status().wireName(),
                            Rows.text(end.finishedAt()), end.error(), end.exitCode(), end.log()});
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            try (var ps = attemptSql.prepare(c, "StepAttemptFinishMany", params(
                    "run_ids", column(rows, 0, Long[]::new), "step_ids", column(rows, 1, String[]::new),
                    "attempts", column(rows, 2, Integer[]::new), "statuses", column(rows, 3, String[]::new),
                    "finished_at", column(rows, 4, String[]::new), "errors", column(rows, 5, String[]::new),
                    "exit_codes", column(rows, 6, Integer[]::new), "logs", column(rows, 7, String[]::new)))) {
                ps.executeUpdate();
            }
        }

        private void writeDecisions() throws SQLException {
            for (RunState run : runs.values()) {
                for (var d : run.decisionChanges()) {
                    if (d.created()) {
                        try (var ps = decisionSql.prepare(c, "DecisionInsert", params("id", d.id(), "workspace", run.workspace(),
                                "run_id", run.id(), "step_id", d.stepId(), "prompt", d.prompt(), "deadline_at", d.deadline(),
                                "now", d.at()))) {
                            ps.executeUpdate();
                        }
                    } else {
                        try (var ps = decisionSql.prepare(c, "DecisionSettle", params("id", d.id(), "status", d.status().wireName(),
                                "comment", d.comment(), "answered_by", d.answeredBy(), "now", d.at()))) {
                            ps.executeUpdate();
                        }
                    }
                }
            }
        }

        private void insertEvents() throws SQLException {
            var rows = new ArrayList<Object[]>();
            for (RunState run : runs.values()) {
                for (Event e : run.events()) {
                    rows.add(new Object[] {run.workspace(), e.type(), e.runId(), e.stepId(), e.attempt(), Json.write(e.data())});
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            try (var ps = eventSql.prepare(c, "EventInsertMany", params("now", Instant.now(),
                    "workspaces", column(rows, 0, String[]::new), "types", column(rows, 1, String[]::new),
                    "run_ids", column(rows, 2, Long[]::new), "step_ids", column(rows, 3, String[]::new),
                    "attempts", column(rows, 4, Integer[]::new), "data", column(rows, 5, String[]::new)))) {
                ps.executeUpdate();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] column(List<Object[]> rows, int index, java.util.function.IntFunction<T[]> array) {
        T[] out = array.apply(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out[i] = (T) rows.get(i)[index];
        }
        return out;
    }

    @Override
    public List<Claim> claim(String owner, int limit, Instant now, Instant leaseUntil) {
        return db.inTransaction(c -> {
            var claims = new ArrayList<Claim>();
            try (var ps = stepSql.prepare(c, "StepClaimReady", params("owner", owner, "limit", limit, "now", now,
                    "lease_until", leaseUntil)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long runId = rs.getLong("run_id");
                    String stepId = rs.getString("step_id");
                    claims.add(new Claim(runId, stepId, rs.getInt("attempts"),
                            StepState.idempotencyKey(runId, stepId, rs.getInt("key_generation")),
                            rs.getLong("version_id"), owner, Rows.instant(rs, "ready_at"), now));
                }
            }
            return claims;
        });
    }

    @Override
    public List<StepOutcome.StepRef> renewLeases(String owner, Collection<StepOutcome.StepRef> held, Instant leaseUntil) {
        if (held.isEmpty()) {
            return List.of();
        }
        var values = params("owner", owner, "lease_until", leaseUntil,
                "run_ids", held.stream().map(StepOutcome.StepRef::runId).toArray(Long[]::new),
                "step_ids", held.stream().map(StepOutcome.StepRef::stepId).toArray(String[]::new),
                "attempts", held.stream().map(StepOutcome.StepRef::attempt).toArray(Integer[]::new));
        var still = new java.util.HashSet<StepOutcome.StepRef>(db.inTransaction(c -> refs(c, "StepRenewLeases", values, owner)));
        if (still.size() < held.size()) {
            // Renewal skips rows another transaction holds; a plain read tells skipped from lost.
            still.addAll(db.read(c -> refs(c, "StepGetHeld", values, owner)));
        }
        return List.copyOf(still);
    }

    private List<StepOutcome.StepRef> refs(Connection c, String statement, Map<String, Object> values, String owner) throws SQLException {
        var refs = new ArrayList<StepOutcome.StepRef>();
        try (var ps = stepSql.prepare(c, statement, values); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                refs.add(new StepOutcome.StepRef(rs.getLong("run_id"), rs.getString("step_id"), rs.getInt("attempts"), owner));
            }
        }
        return refs;
    }

    @Override
    public List<StepOutcome.StepRef> expiredLeases(Instant now, int limit) {
        return db.read(c -> {
            var refs = new ArrayList<StepOutcome.StepRef>();
            try (var ps = stepSql.prepare(c, "StepListExpiredLeases", params("now", now, "limit", limit));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    refs.add(new StepOutcome.StepRef(rs.getLong("run_id"), rs.getString("step_id"), rs.getInt("attempts"),
                            rs.getString("lease_owner")));
                }
            }
            return refs;
        });
    }

    @Override
    public Map<Long, List<String>> dueTimers(Instant now, int limit) {
        return db.read(c -> {
            var due = new LinkedHashMap<Long, List<String>>();
            try (var ps = stepSql.prepare(c, "StepListDueTimers", params("now", now, "limit", limit));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.computeIfAbsent(rs.getLong("run_id"), k -> new ArrayList<>()).add(rs.getString("step_id"));
                }
            }
            return due;
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return db.read(c -> {
            try (var ps = stepSql.prepare(c, "StepGetNextDue", Map.of()); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(Rows.instant(rs, "min"));
            }
        });
    }

    @Override
    public Template.Context templateContext(long runId) {
        return db.read(c -> {
            Map<String, String> inputs = Map.of();
            String pipeline = null;
            var outputs = new LinkedHashMap<String, Map<String, String>>();
            try (var ps = stepSql.prepare(c, "StepListOutputsForRun", params("run_id", runId)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inputs = Json.strings(rs.getString("inputs"));
                    pipeline = rs.getString("pipeline");
                    String step = rs.getString("step_id");
                    if (step != null) {
                        outputs.put(step, Json.strings(rs.getString("outputs")));
                    }
                }
            }
            return new Template.Context(runId, pipeline, inputs, outputs);
        });
    }
}
