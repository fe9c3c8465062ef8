package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.engine.Views;
import dev.agentry.core.run.StepState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads for the API and CLI: plain queries, no locks. */
public final class PostgresRunQueries implements RunQueries {
    private final Database db;
    private final Sql runSql = Sql.load("run");
    private final Sql stepSql = Sql.load("step");
    private final Sql attemptSql = Sql.load("step_attempt");
    private final Sql decisionSql = Sql.load("decision");
    private final Sql workspaceSql = Sql.load("workspace");

    public PostgresRunQueries(Database db) {
        this.db = db;
    }

    @Override
    public Views.Page<Views.RunView> runs(RunFilter filter) {
        return db.read(c -> {
            var items = new ArrayList<Views.RunView>();
            try (var ps = runSql.prepare(c, "RunList", params("workspace", filter.workspace(), "pipeline", filter.pipeline(),
                    "status", filter.status(), "before", filter.before(), "limit", filter.limit() + 1));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(run(rs, List.of()));
                }
            }
            String next = null;
            if (items.size() > filter.limit()) {
                items.remove(items.size() - 1);
                next = Long.toString(items.get(items.size() - 1).id());
            }
            return new Views.Page<>(items, next);
        });
    }

    @Override
    public Optional<Views.RunView> run(String workspace, long runId) {
        return db.read(c -> {
            try (var ps = runSql.prepare(c, "RunGet", params("workspace", workspace, "id", runId)); ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(run(rs, steps(c, runId)));
            }
        });
    }

    static Views.RunView run(ResultSet rs, List<Views.StepView> steps) throws SQLException {
        return new Views.RunView(rs.getLong("id"), rs.getString("workspace"), rs.getString("pipeline"), rs.getInt("version"),
                rs.getString("status"), Json.strings(rs.getString("inputs")), rs.getString("error"),
                rs.getString("idempotency_key"), Rows.nullableLong(rs, "rerun_of"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"), rs.getString("repository"),
                rs.getString("branch"), steps);
    }

    private List<Views.StepView> steps(Connection c, long runId) throws SQLException {
        var steps = new ArrayList<Views.StepView>();
        try (var ps = stepSql.prepare(c, "StepListForRun", params("run_id", runId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                steps.add(step(rs));
            }
        }
        return steps;
    }

    static Views.StepView step(ResultSet rs) throws SQLException {
        return new Views.StepView(rs.getString("step_id"), rs.getString("kind"), rs.getString("status"),
                rs.getInt("attempts"), Rows.instant(rs, "ready_at"), Rows.instant(rs, "due_at"),
                Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"), Json.strings(rs.getString("outputs")),
                rs.getString("error"), Rows.nullableLong(rs, "decision_id"));
    }

    @Override
    public List<Views.AttemptView> attempts(String workspace, long runId, String stepId) {
        return db.read(c -> attemptSql.list(c, "StepAttemptList", params("workspace", workspace, "run_id", runId, "step_id", stepId),
                rs -> new Views.AttemptView(rs.getInt("attempt"), rs.getString("status"), rs.getString("node"),
                        StepState.idempotencyKey(runId, stepId, rs.getInt("key_generation")),
                        Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"), rs.getString("error"),
                        Rows.nullableInt(rs, "exit_code"))));
    }

    @Override
    public List<Views.LogView> logs(String workspace, long runId, String stepId) {
        return db.read(c -> attemptSql.list(c, "StepAttemptListLogs", params("workspace", workspace, "run_id", runId, "step_id", stepId),
                rs -> new Views.LogView(runId, rs.getString("step_id"), rs.getInt("attempt"), rs.getString("status"), rs.getString("log"))));
    }

    @Override
    public List<Views.DecisionView> decisions(String workspace, String status, int limit) {
        return db.read(c -> decisionSql.list(c, "DecisionList", params("workspace", workspace, "status", status, "limit", limit),
                PostgresRunQueries::decision));
    }

    @Override
    public Optional<Views.DecisionView> decision(String workspace, long decisionId) {
        return db.read(c -> decisionSql.list(c, "DecisionGet", params("workspace", workspace, "id", decisionId),
                PostgresRunQueries::decision)).stream().findFirst();
    }

    static Views.DecisionView decision(ResultSet rs) throws SQLException {
        return new Views.DecisionView(rs.getLong("id"), rs.getString("workspace"), rs.getLong("run_id"), rs.getString("pipeline"),
                rs.getString("step_id"), rs.getString("status"), rs.getString("prompt"), Rows.instant(rs, "deadline_at"),
                rs.getString("comment"), rs.getString("answered_by"), Rows.instant(rs, "created_at"), Rows.instant(rs, "answered_at"));
    }

    @Override
    public boolean workspaceExists(String workspace) {
        return db.read(c -> {
            try (var ps = workspaceSql.prepare(c, "WorkspaceExists", params("name", workspace)); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }
}
