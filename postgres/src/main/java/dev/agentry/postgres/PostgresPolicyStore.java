package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Policy versions in {@code policy_version}, one sequence per workspace; sources are stored as applied, never parsed here. */
public final class PostgresPolicyStore implements PolicyStore {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("policy_version");

    public PostgresPolicyStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Applied apply(String workspace, String source, String digest) {
        return db.inTransaction(c -> {
            if (sql.list(c, "PolicyVersionLock", params("workspace", workspace), rs -> rs.getString(1)).isEmpty()) {
                throw new NotFound("workspace", "no workspace '" + workspace + "'");
            }
            var latest = one(c, "PolicyVersionGetLatest", params("workspace", workspace));
            if (latest.isPresent() && latest.get().digest().equals(digest)) {
                return new Applied(latest.get(), false);
            }
            int next = latest.map(PolicyVersion::version).orElse(0) + 1;
            var created = one(c, "PolicyVersionInsert", params("workspace", workspace, "version", next, "source", source,
                    "digest", digest, "now", clock.instant())).orElseThrow();
            return new Applied(created, true);
        });
    }

    @Override
    public int latestVersion(String workspace) {
        return db.read(c -> sql.list(c, "PolicyVersionGetLatestNumber", params("workspace", workspace), rs -> rs.getInt(1)).get(0));
    }

    @Override
    public Optional<PolicyVersion> latest(String workspace) {
        return db.read(c -> one(c, "PolicyVersionGetLatest", params("workspace", workspace)));
    }

    @Override
    public Optional<PolicyVersion> version(String workspace, int version) {
        return db.read(c -> one(c, "PolicyVersionGet", params("workspace", workspace, "version", version)));
    }

    @Override
    public List<PolicyVersion> versions(String workspace) {
        return db.read(c -> sql.list(c, "PolicyVersionList", params("workspace", workspace), PostgresPolicyStore::read));
    }

    private Optional<PolicyVersion> one(Connection c, String statement, Map<String, Object> values) throws SQLException {
        return sql.list(c, statement, values, PostgresPolicyStore::read).stream().findFirst();
    }

    private static PolicyVersion read(ResultSet rs) throws SQLException {
        return new PolicyVersion(rs.getString("workspace"), rs.getInt("version"), rs.getString("source"), rs.getString("digest"),
                Rows.instant(rs, "created_at"));
    }
}
