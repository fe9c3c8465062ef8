package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.spend.CallScope;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The built-in agent's per-turn checkpoints in PostgreSQL, keyed by the attempt's idempotency key. */
public final class PostgresCheckpoints implements AgentCheckpoints {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("agent_checkpoint");

    public PostgresCheckpoints(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private record Row(int turn, String[] messages, String patch) {}

    @Override
    public Optional<Checkpoint> load(CallScope scope) {
        var rows = db.read(c -> sql.list(c, "AgentCheckpointList", params("idempotency_key", scope.idempotencyKey()),
                rs -> new Row(rs.getInt("turn"), (String[]) rs.getArray("messages").getArray(), rs.getString("patch"))));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        var messages = new ArrayList<String>();
        rows.forEach(r -> messages.addAll(List.of(r.messages())));
        Row last = rows.get(rows.size() - 1);
        return Optional.of(new Checkpoint(last.turn(), messages, last.patch()));
    }

    @Override
    public void append(CallScope scope, int turn, List<String> appended, String patch) {
        db.inTransaction(c -> {
            try (var trim = sql.prepare(c, "AgentCheckpointTrim", params("idempotency_key", scope.idempotencyKey(), "turn", turn));
                 var save = sql.prepare(c, "AgentCheckpointSave", params("idempotency_key", scope.idempotencyKey(), "turn", turn,
                         "run_id", scope.runId(), "step_id", scope.stepId(), "messages", appended.toArray(String[]::new),
                         "patch", patch, "now", clock.instant()))) {
                trim.executeUpdate();
                return save.executeUpdate();
            }
        });
    }
}
