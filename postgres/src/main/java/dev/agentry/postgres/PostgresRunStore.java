package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.column;
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
import java.time.Clock;
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
    private final Clock clock;
    private final Sql runSql = Sql.load("run");
    private final Sql stepSql = Sql.load("step");
    private final Sql decisionSql = Sql.load("decision");

    public PostgresRunStore(Database db, PipelineStore pipelines, Signals signals, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.pipelines = pipelines;
        this.signals = signals;
    }

    @Override
    public <T> T transact(Work<T> work) {
        var raised = EnumSet.noneOf(Signal.class);
        T result;
        try {
            result = db.inTransaction(c -> {
                raised.clear();
                var tx = new Tx(c, raised);
                T value = work.apply(tx);
                tx.flush();
                return value;
            });
        } catch (Database.DatabaseException e) {
            // Data exceptions (22), integrity violations (23), program limits (54): retrying cannot help.
            String state = String.valueOf(e.sqlState());
            if (state.startsWith("22") || state.startsWith("23") || state.startsWith("54")) {
                throw new Unrecordable(e.getMessage(), e);
            }
            throw e;
        }
        raised.forEach(signals::raise);
        return result;
    }

    private final class Tx implements Transaction {
        private final Connection c;
        private final Set<Signal> raised;
        private final Map<Long, RunState> runs = new LinkedHashMap<>();
        /** Runs created in this transaction: their rows and steps are inserted at commit. */
        private final Map<Long, NewRun> created = new java.util.TreeMap<>();
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
            try (var ps = runSql.prepare(c, "RunLockWithSteps", params("run_ids", ids.toArray(Long[]::new)))) {
                ps.execute(); // the locks
                if (!ps.getMoreResults()) {
                    throw new IllegalStateException("RunLockWithSteps gave no result for its read");
                }
                ResultSet rs = ps.getResultSet();
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
                                Rows.instant(rs, "run_finished_at"), rs.getString("run_error"), rs.getString("repository"),
                                rs.getString("branch"));
                    }
                    steps.add(new StepState(rs.getString("step_id"), StepStatus.fromWire(rs.getString("status")),
                            rs.getInt("attempts"), rs.getInt("failures"), rs.getInt("lost"), rs.getInt("key_generation"),
                            Rows.instant(rs, "ready_at"), Rows.instant(rs, "due_at"), Rows.instant(rs, "started_at"),
                            Rows.instant(rs, "finished_at"), rs.getString("lease_owner"), Json.strings(rs.getString("outputs")),
                            rs.getString("error"), Rows.nullableLong(rs, "decision_id"), rs.getString("pool"),
                            labels(rs.getString("pool_labels")), Json.strings(rs.getString("memo"))));
                }
                if (head != null) {
                    addRun(head, steps);
                }
            }
        }

        private record NewRun(String idempotencyKey, Long rerunOf) {}

        private record RunHead(long id, String workspace, long versionId, RunStatus status, Map<String, String> inputs,
                               Instant createdAt, Instant startedAt, Instant finishedAt, String error, String repository,
                               String branch) {}

        private void addRun(RunHead h, List<StepState> steps) {
            var version = pipelines.byId(h.versionId());
            var run = new RunState(h.id(), h.workspace(), h.versionId(), version.definition(), h.inputs(), h.repository(),
                    h.branch(), h.status(),
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
        public long[] reserveRunIds(int count) {
            long[] ids = new long[count];
            try (var ps = runSql.prepare(c, "RunReserveIds", params("count", count)); ResultSet rs = ps.executeQuery()) {
                for (int i = 0; i < count && rs.next(); i++) {
                    ids[i] = rs.getLong(1);
                }
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
            return ids;
        }

        @Override
        public Optional<Long> runByIdempotencyKey(String workspace, String idempotencyKey) {
            var values = params("workspace", workspace, "idempotency_key", idempotencyKey);
            try {
                try (var ps = runSql.prepare(c, "RunLockIdempotencyKey", values)) {
                    ps.execute();
                }
                try (var ps = runSql.prepare(c, "RunGetIdByIdempotencyKey", values); ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw new Database.DatabaseException(e);
            }
        }

        @Override
        public void create(RunState run, String idempotencyKey, Long rerunOf) {
            run.useDecisionIds(this::nextDecisionId);
            runs.put(run.id(), run);
            created.put(run.id(), new NewRun(idempotencyKey, rerunOf));
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
                    boolean activeStored = !created.containsKey(run.id()) && storedActive.getOrDefault(run.id(), false);
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

        /** Labels from their array literal (read as text: cheaper than a JDBC array for a mostly empty column). */
        private static List<String> labels(String literal) {
            if (literal == null || literal.length() <= 2) {
                return List.of();
            }
            return List.of(literal.substring(1, literal.length() - 1).split(","));
        }

        /** Labels as a PostgreSQL array literal: they are validated names, so nothing needs quoting. */
        private static String labels(List<String> labels) {
            return "{" + String.join(",", labels) + "}";
        }

        /** Writes what changed, with its events and the wake-up for other nodes, in one statement. */
        void flush() throws SQLException {
            if (runs.isEmpty()) {
                return;
            }
            var newRuns = new ArrayList<Object[]>();
            var created = new ArrayList<Object[]>();
            var steps = new ArrayList<Object[]>();
            var runRows = new ArrayList<Object[]>();
            var attempts = new ArrayList<Object[]>();
            var events = new ArrayList<Object[]>();
            for (RunState run : runs.values()) {
                NewRun isNew = this.created.get(run.id());
                int position = 0;
                for (StepState s : run.steps()) { // in definition order
                    if (isNew != null) {
                        created.add(new Object[] {run.id(), s.stepId(), position, run.definition().requireStep(s.stepId()).action().kind(),
                                s.status().wireName(), Rows.text(s.readyAt()), Rows.text(s.dueAt()), Rows.text(s.startedAt()),
                                Rows.text(s.finishedAt()), Json.write(s.outputs()), s.decisionId(), s.pool(), labels(s.labels())});
                        position++;
                    } else if (s.changed()) {
                        steps.add(new Object[] {run.id(), s.stepId(), s.status().wireName(), s.attempts(), s.failures(),
                                s.lost(), s.keyGeneration(), Rows.text(s.readyAt()), Rows.text(s.dueAt()),
                                Rows.text(s.startedAt()), Rows.text(s.finishedAt()), s.leaseOwner(), Json.write(s.outputs()),
                                s.error(), s.decisionId(), s.readStatus().wireName(), s.readAttempts(), s.pool(),
                                labels(s.labels()), Json.write(s.memo())});
                    }
                }
                if (isNew != null) {
                    newRuns.add(new Object[] {run.id(), run.workspace(), run.definition().name(), run.versionId(),
                            run.status().wireName(), Json.write(run.inputs()), isNew.idempotencyKey(), isNew.rerunOf(),
                            run.error(), Rows.text(run.createdAt()), Rows.text(run.startedAt()), Rows.text(run.finishedAt()),
                            run.repository(), run.branch()});
                } else if (run.changed()) {
                    runRows.add(new Object[] {run.id(), run.status().wireName(), Rows.text(run.startedAt()),
                            Rows.text(run.finishedAt()), run.error()});
                }
                for (var end : run.attemptEnds()) {
                    attempts.add(new Object[] {run.id(), end.stepId(), end.attempt(), end.status().wireName(), end.node(),
                            end.keyGeneration(), Rows.text(end.startedAt()), Rows.text(end.finishedAt()), end.error(),
                            end.exitCode(), end.log()});
                }
                for (Event e : run.events()) {
                    events.add(new Object[] {run.workspace(), e.type(), e.runId(), e.stepId(), e.attempt(), Json.write(e.data())});
                }
            }
            if (!events.isEmpty()) {
                raised.add(Signal.EVENTS_WRITTEN);
            }
            var values = params("now", clock.instant(),
                    "new_runs", column(newRuns, 0, Long[]::new), "new_run_workspaces", column(newRuns, 1, String[]::new),
                    "new_run_pipelines", column(newRuns, 2, String[]::new), "new_run_versions", column(newRuns, 3, Long[]::new),
                    "new_run_statuses", column(newRuns, 4, String[]::new), "new_run_inputs", column(newRuns, 5, String[]::new),
                    "new_run_keys", column(newRuns, 6, String[]::new), "new_run_rerun_of", column(newRuns, 7, Long[]::new),
                    "new_run_errors", column(newRuns, 8, String[]::new), "new_run_created_at", column(newRuns, 9, String[]::new),
                    "new_run_started_at", column(newRuns, 10, String[]::new), "new_run_finished_at", column(newRuns, 11, String[]::new),
                    "new_run_repositories", column(newRuns, 12, String[]::new), "new_run_branches", column(newRuns, 13, String[]::new),
                    "new_run_ids", column(created, 0, Long[]::new), "new_step_ids", column(created, 1, String[]::new),
                    "new_positions", column(created, 2, Integer[]::new), "new_kinds", column(created, 3, String[]::new),
                    "new_statuses", column(created, 4, String[]::new), "new_ready_at", column(created, 5, String[]::new),
                    "new_due_at", column(created, 6, String[]::new), "new_started_at", column(created, 7, String[]::new),
                    "new_finished_at", column(created, 8, String[]::new), "new_outputs", column(created, 9, String[]::new),
                    "new_decision_ids", column(created, 10, Long[]::new), "new_pools", column(created, 11, String[]::new),
                    "new_pool_labels", column(created, 12, String[]::new),
                    "run_ids", column(steps, 0, Long[]::new), "step_ids", column(steps, 1, String[]::new),
                    "statuses", column(steps, 2, String[]::new), "attempts", column(steps, 3, Integer[]::new),
                    "failures", column(steps, 4, Integer[]::new), "lost", column(steps, 5, Integer[]::new),
                    "key_generations", column(steps, 6, Integer[]::new), "ready_at", column(steps, 7, String[]::new),
                    "due_at", column(steps, 8, String[]::new), "started_at", column(steps, 9, String[]::new),
                    "finished_at", column(steps, 10, String[]::new), "lease_owners", column(steps, 11, String[]::new),
                    "outputs", column(steps, 12, String[]::new), "errors", column(steps, 13, String[]::new),
                    "decision_ids", column(steps, 14, Long[]::new), "read_statuses", column(steps, 15, String[]::new),
                    "read_attempts", column(steps, 16, Integer[]::new), "pools", column(steps, 17, String[]::new),
                    "pool_labels", column(steps, 18, String[]::new), "memos", column(steps, 19, String[]::new),
                    "run_row_ids", column(runRows, 0, Long[]::new), "run_statuses", column(runRows, 1, String[]::new),
                    "run_started", column(runRows, 2, String[]::new), "run_finished", column(runRows, 3, String[]::new),
                    "run_errors", column(runRows, 4, String[]::new),
                    "attempt_run_ids", column(attempts, 0, Long[]::new), "attempt_step_ids", column(attempts, 1, String[]::new),
                    "attempt_numbers", column(attempts, 2, Integer[]::new), "attempt_statuses", column(attempts, 3, String[]::new),
                    "attempt_nodes", column(attempts, 4, String[]::new), "attempt_key_generations", column(attempts, 5, Integer[]::new),
                    "attempt_started_at", column(attempts, 6, String[]::new), "attempt_finished_at", column(attempts, 7, String[]::new),
                    "attempt_errors", column(attempts, 8, String[]::new), "attempt_exit_codes", column(attempts, 9, Integer[]::new),
                    "attempt_logs", column(attempts, 10, String[]::new),
                    "event_workspaces", column(events, 0, String[]::new), "event_types", column(events, 1, String[]::new),
                    "event_run_ids", column(events, 2, Long[]::new), "event_step_ids", column(events, 3, String[]::new),
                    "event_attempts", column(events, 4, Integer[]::new), "event_data", column(events, 5, String[]::new),
                    "signals", raised.stream().filter(Signal::notifiesByName).map(Enum::name).toArray(String[]::new));
            try (var ps = runSql.prepare(c, "RunWriteChanges", values); ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong("steps_changed") != steps.size()) {
                    throw new Database.ConcurrentChange(steps.size() - rs.getLong("steps_changed")
                            + " step rows changed since they were read");
                }
            }
            writeDecisions(); // after the runs they belong to exist
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
    }


    @Override
    public List<Claim> claim(String owner, Claim.Scope scope, int limit, Instant now, Instant leaseUntil) {
        var claimed = db.singleStatement(c -> {
            var claims = new ArrayList<Claim>();
            try (var ps = stepSql.prepare(c, "StepClaimReady", params("owner", owner, "limit", limit, "now", now,
                    "lease_until", leaseUntil, "pool", scope.pool(), "labels", scope.labels().toArray(String[]::new),
                    "is_default", scope.isDefault())); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long runId = rs.getLong("run_id");
                    String stepId = rs.getString("step_id");
                    claims.add(new Claim(runId, stepId, rs.getInt("attempts"),
                            StepState.idempotencyKey(runId, stepId, rs.getInt("key_generation")),
                            rs.getLong("version_id"), owner, rs.getString("workspace"), scope.pool(),
                            Json.strings(rs.getString("memo")), rs.getString("repository"), rs.getString("branch")));
                }
            }
            return claims;
        });
        if (!claimed.isEmpty()) {
            signals.raise(Signal.EVENTS_WRITTEN); // their step.started events
        }
        return claimed;
    }

    @Override
    public List<StepOutcome.StepRef> renewLeases(String owner, Map<StepOutcome.StepRef, Instant> active, Instant leaseUntil) {
        if (active.isEmpty()) {
            return List.of();
        }
        var held = List.copyOf(active.keySet());
        var values = params("owner", owner, "lease_until", leaseUntil,
                "run_ids", held.stream().map(StepOutcome.StepRef::runId).toArray(Long[]::new),
                "step_ids", held.stream().map(StepOutcome.StepRef::stepId).toArray(String[]::new),
                "attempts", held.stream().map(StepOutcome.StepRef::attempt).toArray(Integer[]::new),
                "active_at", held.stream().map(r -> Rows.text(active.get(r))).toArray(String[]::new));
        var still = new java.util.HashSet<StepOutcome.StepRef>(db.singleStatement(c -> refs(c, "StepRenewLeases", values, owner)));
        if (still.size() < held.size()) {
            // Renewal skips rows another transaction holds; a plain read tells skipped from lost.
            still.addAll(db.read(c -> refs(c, "StepGetHeld", values, owner)));
        }
        return List.copyOf(still);
    }

    private List<StepOutcome.StepRef> refs(Connection c, String statement, Map<String, Object> values, String owner) throws SQLException {
        return stepSql.list(c, statement, values,
                rs -> new StepOutcome.StepRef(rs.getLong("run_id"), rs.getString("step_id"), rs.getInt("attempts"), owner));
    }

    @Override
    public List<StepOutcome.StepRef> expiredLeases(Instant now, int limit) {
        return db.read(c -> stepSql.list(c, "StepListExpiredLeases", params("now", now, "limit", limit),
                rs -> new StepOutcome.StepRef(rs.getLong("run_id"), rs.getString("step_id"), rs.getInt("attempts"),
                        rs.getString("lease_owner"))));
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
