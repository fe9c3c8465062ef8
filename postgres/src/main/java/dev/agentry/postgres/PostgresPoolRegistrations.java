package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.job.PoolRegistrations;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The registered runner pools, in PostgreSQL. */
public final class PostgresPoolRegistrations implements PoolRegistrations {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("runner_pool");

    public PostgresPoolRegistrations(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Registration save(Registration r) {
        return db.inTransaction(c -> sql.list(c, "RunnerPoolUpsert", params("name", r.name(), "kind", r.kind(),
                "slots", r.slots(), "labels", r.labels().toArray(String[]::new), "manifest", r.manifest(),
                "now", clock.instant()), PostgresPoolRegistrations::registration).get(0));
    }

    @Override
    public Optional<Registration> find(String name) {
        return db.read(c -> sql.list(c, "RunnerPoolGet", params("name", name), PostgresPoolRegistrations::registration))
                .stream().findFirst();
    }

    @Override
    public List<Registration> list() {
        return db.read(c -> sql.list(c, "RunnerPoolList", params(), PostgresPoolRegistrations::registration));
    }

    @Override
    public boolean remove(String name) {
        return db.inTransaction(c -> {
            try (var ps = sql.prepare(c, "RunnerPoolDelete", params("name", name))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static Registration registration(ResultSet rs) throws SQLException {
        return new Registration(rs.getString("name"), rs.getString("kind"), rs.getInt("slots"),
                List.of((String[]) rs.getArray("labels").getArray()), rs.getString("manifest"), Rows.instant(rs, "created_at"));
    }
}
