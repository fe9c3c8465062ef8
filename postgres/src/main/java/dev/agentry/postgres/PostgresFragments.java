package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.agent.BuiltinFragments;
import dev.agentry.core.agent.PromptFragments;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Prompt fragments in PostgreSQL; the built-in ones come from {@link BuiltinFragments}. */
public final class PostgresFragments implements PromptFragments {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("prompt_fragment");
    private final Sql workspaces = Sql.load("workspace");

    public PostgresFragments(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public List<Fragment> pinned(long runId, String workspace, List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return db.inTransaction(c -> {
            var pins = pins(c, runId);
            Map<String, Fragment> visible = null;
            var out = new ArrayList<Fragment>();
            for (String name : names) {
                Fragment f = pins.get(name);
                if (f == null) {
                    visible = visible == null ? visible(c, workspace) : visible;
                    f = visible.get(name);
                    if (f == null) {
                        throw new UnknownFragment("prompt fragment '" + name + "' does not exist in workspace '" + workspace
                                + "', its account or the built-in ones");
                    }
                    try (var ps = sql.prepare(c, "RunFragmentPin", params("run_id", runId, "name", name,
                            "scope", f.scope().wireName(), "owner", f.owner(), "version", f.version()))) {
                        ps.executeUpdate();
                    }
                    pins.put(name, f);
                }
                out.add(f);
            }
            return out;
        });
    }

    @Override
    public List<Fragment> pinnedBy(long runId) {
        return List.copyOf(db.read(c -> pins(c, runId)).values());
    }

    /** Name -> the version the run pinned (built-in ones are not in the table's join, so they are added here). */
    private Map<String, Fragment> pins(Connection c, long runId) throws SQLException {
        var pins = new LinkedHashMap<String, Fragment>();
        for (var f : sql.list(c, "RunFragmentList", params("run_id", runId), PostgresFragments::fragment)) {
            pins.put(f.name(), f);
        }
        for (var p : sql.list(c, "RunFragmentPins", params("run_id", runId), rs -> new String[] {rs.getString("name"), rs.getString("scope")})) {
            if (p[1].equals(Scope.BUILTIN.wireName())) {
                builtin(p[0]).ifPresent(f -> pins.put(f.name(), f));
            }
        }
        return pins;
    }

    @Override
    public Fragment save(Scope scope, String owner, String name, String text) {
        if (scope == Scope.BUILTIN) {
            throw new IllegalArgumentException("built-in fragments cannot be changed");
        }
        return db.inTransaction(c -> {
            var latest = sql.list(c, "PromptFragmentLatest", params("scope", scope.wireName(), "owner", owner, "name", name),
                    PostgresFragments::fragment);
            if (!latest.isEmpty() && latest.get(0).text().equals(text)) {
                return latest.get(0);
            }
            return sql.list(c, "PromptFragmentInsert", params("scope", scope.wireName(), "owner", owner, "name", name,
                    "text", text, "now", clock.instant()), PostgresFragments::fragment).get(0);
        });
    }

    @Override
    public List<Fragment> visible(String workspace) {
        return db.read(c -> visible(c, workspace)).values().stream().sorted(Comparator.comparing(Fragment::name)).toList();
    }

    /** Name -> the fragment a workspace sees: its own, else its account's, else the built-in one. */
    private Map<String, Fragment> visible(Connection c, String workspace) throws SQLException {
        var account = workspaces.list(c, "WorkspaceAccount", params("workspace", workspace), rs -> rs.getString("account"));
        var rows = sql.list(c, "PromptFragmentVisible", params("workspace", workspace,
                "account", account.isEmpty() ? "default" : account.get(0)), PostgresFragments::fragment);
        var byName = new LinkedHashMap<String, Fragment>();
        BuiltinFragments.all().forEach(f -> byName.put(f.name(), f));
        rows.stream().filter(f -> f.scope() == Scope.ACCOUNT).forEach(f -> byName.put(f.name(), f));
        rows.stream().filter(f -> f.scope() == Scope.WORKSPACE).forEach(f -> byName.put(f.name(), f));
        return byName;
    }

    @Override
    public Optional<Fragment> find(Scope scope, String owner, String name, Integer version) {
        if (scope == Scope.BUILTIN) {
            return builtin(name).filter(f -> version == null || version == f.version());
        }
        return db.read(c -> version == null
                ? sql.list(c, "PromptFragmentLatest", params("scope", scope.wireName(), "owner", owner, "name", name), PostgresFragments::fragment)
                : sql.list(c, "PromptFragmentGet", params("scope", scope.wireName(), "owner", owner, "name", name, "version", version),
                        PostgresFragments::fragment)).stream().findFirst();
    }

    private static Optional<Fragment> builtin(String name) {
        return BuiltinFragments.all().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    private static Fragment fragment(ResultSet rs) throws SQLException {
        return new Fragment(rs.getString("name"), Scope.valueOf(rs.getString("scope").toUpperCase()), rs.getString("owner"),
                rs.getInt("version"), rs.getString("text"), Rows.instant(rs, "created_at"));
    }
}
