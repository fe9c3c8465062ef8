package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.PipelineStore;
import dev.agentry.core.engine.PipelineVersion;
import dev.agentry.core.pipeline.PipelineParser;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Pipeline versions in {@code pipeline} and {@code pipeline_version}; parsed versions cached by id (they never change). */
public final class PostgresPipelineStore implements PipelineStore {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("pipeline");
    private final Map<Long, PipelineVersion> byId = new ConcurrentHashMap<>();

    public PostgresPipelineStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Applied apply(String workspace, String name, String source, String digest) {
        return db.inTransaction(c -> {
            var now = clock.instant();
            int latest;
            try (var ps = sql.prepare(c, "PipelineLockOrCreate", params("workspace", workspace, "name", name, "now", now));
                 var rs = ps.executeQuery()) {
                rs.next();
                latest = rs.getInt(1);
            }
            if (latest > 0) {
                var current = one(c, "PipelineVersionGet", params("workspace", workspace, "name", name, "version", latest));
                if (current.isPresent() && current.get().digest().equals(digest)) {
                    return new Applied(current.get(), false);
                }
            }
            PipelineVersion created = one(c, "PipelineVersionInsert", params("workspace", workspace, "name", name,
                    "version", latest + 1, "source", source, "digest", digest, "now", now)).orElseThrow();
            try (var ps = sql.prepare(c, "PipelineSetLatest", params("workspace", workspace, "name", name,
                    "version", latest + 1, "now", now))) {
                ps.executeUpdate();
            }
            return new Applied(created, true);
        });
    }

    @Override
    public Optional<PipelineVersion> latest(String workspace, String name) {
        return db.read(c -> one(c, "PipelineVersionGetLatest", params("workspace", workspace, "name", name)));
    }

    @Override
    public Optional<PipelineVersion> version(String workspace, String name, int version) {
        return db.read(c -> one(c, "PipelineVersionGet", params("workspace", workspace, "name", name, "version", version)));
    }

    @Override
    public PipelineVersion byId(long versionId) {
        PipelineVersion cached = byId.get(versionId);
        if (cached != null) {
            return cached;
        }
        return db.read(c -> one(c, "PipelineVersionGetById", params("id", versionId)))
                .orElseThrow(() -> new IllegalStateException("no pipeline version " + versionId));
    }

    @Override
    public List<PipelineVersion> list(String workspace) {
        return db.read(c -> many(c, "PipelineVersionListLatest", params("workspace", workspace)));
    }

    @Override
    public List<PipelineVersion> versions(String workspace, String name) {
        return db.read(c -> many(c, "PipelineVersionListAll", params("workspace", workspace, "name", name)));
    }

    private Optional<PipelineVersion> one(Connection c, String statement, Map<String, Object> values) throws SQLException {
        var all = many(c, statement, values);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private List<PipelineVersion> many(Connection c, String statement, Map<String, Object> values) throws SQLException {
        var found = new ArrayList<PipelineVersion>();
        try (var ps = sql.prepare(c, statement, values); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(read(rs));
            }
        }
        return found;
    }

    private PipelineVersion read(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        return byId.computeIfAbsent(id, k -> {
            try {
                String source = rs.getString("source");
                return new PipelineVersion(id, rs.getString("workspace"), rs.getString("name"), rs.getInt("version"),
                        source, rs.getString("digest"), PipelineParser.parse(source), Rows.instant(rs, "created_at"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
