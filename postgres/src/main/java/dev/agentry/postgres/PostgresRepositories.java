package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.repo.Repository;
import dev.agentry.core.repo.RepositoryStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The repositories registered with workspaces, in PostgreSQL. */
public final class PostgresRepositories implements RepositoryStore {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("repository");

    public PostgresRepositories(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Repository save(Repository r) {
        return db.inTransaction(c -> sql.list(c, "RepositoryUpsert", params("workspace", r.workspace(), "name", r.name(),
                "url", r.url(), "base_branch", r.baseBranch(), "forge", r.forge(), "credential_ref", r.credentialRef(),
                "now", clock.instant()), PostgresRepositories::repository).get(0));
    }

    @Override
    public Optional<Repository> find(String workspace, String name) {
        return db.read(c -> sql.list(c, "RepositoryGet", params("workspace", workspace, "name", name),
                PostgresRepositories::repository)).stream().findFirst();
    }

    @Override
    public List<Repository> list(String workspace) {
        return db.read(c -> sql.list(c, "RepositoryList", params("workspace", workspace), PostgresRepositories::repository));
    }

    @Override
    public boolean remove(String workspace, String name) {
        return db.inTransaction(c -> {
            try (var ps = sql.prepare(c, "RepositoryDelete", params("workspace", workspace, "name", name))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static Repository repository(ResultSet rs) throws SQLException {
        return new Repository(rs.getString("workspace"), rs.getString("name"), rs.getString("url"),
                rs.getString("base_branch"), rs.getString("forge"), rs.getString("credential_ref"),
                Rows.instant(rs, "created_at"));
    }
}
