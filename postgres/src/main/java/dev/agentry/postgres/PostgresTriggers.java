package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.trigger.Trigger;
import dev.agentry.core.trigger.TriggerStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Webhook triggers and their deliveries, in PostgreSQL. */
public final class PostgresTriggers implements TriggerStore {
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final Database db;
    private final Sql triggers = Sql.load("webhook_trigger");
    private final Sql deliveries = Sql.load("webhook_delivery");

    public PostgresTriggers(Database db) {
        this.db = db;
    }

    @Override
    public Trigger save(Trigger t) {
        return db.inTransaction(c -> triggers.list(c, "WebhookTriggerUpsert", params("workspace", t.workspace(), "name", t.name(),
                "pipeline", t.pipeline(), "format", t.format().wireName(), "secret_name", t.secretName(),
                "inputs", Json.write(t.inputs()), "events", t.events().toArray(String[]::new), "repository", t.repository(),
                "enabled", t.enabled(), "now", t.createdAt()), PostgresTriggers::trigger).get(0));
    }

    @Override
    public Optional<Trigger> get(String workspace, String name) {
        return db.read(c -> triggers.list(c, "WebhookTriggerGet", params("workspace", workspace, "name", name),
                PostgresTriggers::trigger)).stream().findFirst();
    }

    @Override
    public List<Trigger> list(String workspace) {
        return db.read(c -> triggers.list(c, "WebhookTriggerList", params("workspace", workspace), PostgresTriggers::trigger));
    }

    @Override
    public boolean delete(String workspace, String name) {
        return db.inTransaction(c -> {
            try (var ps = triggers.prepare(c, "WebhookTriggerDelete", params("workspace", workspace, "name", name))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<Long> deliveredRun(String workspace, String trigger, String deliveryId) {
        return db.read(c -> deliveries.list(c, "WebhookDeliveryGet", params("workspace", workspace, "trigger", trigger,
                "delivery_id", deliveryId), rs -> rs.getLong("run_id"))).stream().findFirst();
    }

    /** Also false when the trigger was removed meanwhile: its deliveries have nowhere to be recorded. */
    @Override
    public boolean recordDelivery(String workspace, String trigger, String deliveryId, long runId, Instant receivedAt) {
        try {
            return db.singleStatement(c -> {
                try (var ps = deliveries.prepare(c, "WebhookDeliveryInsert", params("workspace", workspace, "trigger", trigger,
                        "delivery_id", deliveryId, "run_id", runId, "received_at", receivedAt))) {
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (Database.DatabaseException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.sqlState())) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public int pruneDeliveries(Instant before, int limit) {
        return db.singleStatement(c -> {
            try (var ps = deliveries.prepare(c, "WebhookDeliveryPrune", params("before", before, "limit", limit))) {
                return ps.executeUpdate();
            }
        });
    }

    private static Trigger trigger(ResultSet rs) throws SQLException {
        return new Trigger(rs.getString("workspace"), rs.getString("name"), rs.getString("pipeline"),
                Trigger.Format.fromWire(rs.getString("format")).orElseThrow(), rs.getString("secret_name"),
                Json.strings(rs.getString("inputs")), List.of((String[]) rs.getArray("events").getArray()),
                rs.getString("repository"), rs.getBoolean("enabled"), Rows.instant(rs, "created_at"));
    }
}
