package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.access.AccessStore;
import dev.agentry.core.access.Principal;
import dev.agentry.core.access.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Users, accounts, memberships and API tokens in PostgreSQL. */
public final class PostgresAccess implements AccessStore {
    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("access");

    public PostgresAccess(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** How stale a token's last use may be before a request writes it again: reads stay reads. */
    private static final java.time.Duration TOUCH_EVERY = java.time.Duration.ofMinutes(1);

    private record Found(Principal principal, Instant lastUsedAt) {}

    @Override
    public Optional<Principal> authenticate(byte[] tokenHash, Instant now) {
        var found = db.read(c -> sql.list(c, "ApiTokenAuthenticate", params("token_hash", tokenHash, "now", now),
                rs -> new Found(new Principal(rs.getString("user_name"), rs.getBoolean("server_admin"), rs.getLong("id"),
                        rs.getString("name"), rs.getBoolean("read_only"), rs.getString("workspace"), Rows.instant(rs, "expires_at")),
                        Rows.instant(rs, "last_used_at"))));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        var token = found.get(0);
        if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(now.minus(TOUCH_EVERY))) {
            update("ApiTokenTouch", params("id", token.principal().tokenId(), "now", now));
        }
        return Optional.of(token.principal());
    }

    @Override
    public Optional<Role> roleIn(String user, String workspace) {
        return db.read(c -> sql.list(c, "UserRoleInWorkspace", params("workspace", workspace, "user_name", user),
                rs -> Role.fromWire(rs.getString("role")))).stream().max(Comparator.naturalOrder());
    }

    @Override
    public boolean anyUser() {
        return db.read(c -> sql.list(c, "UserAny", params(), rs -> rs.getBoolean("any")).get(0));
    }

    @Override
    public boolean createUser(String name, boolean serverAdmin) {
        return update("UserInsert", params("name", name, "server_admin", serverAdmin, "now", clock.instant())) > 0;
    }

    @Override
    public List<User> users() {
        return db.read(c -> sql.list(c, "UserList", params(), PostgresAccess::user));
    }

    @Override
    public Optional<User> user(String name) {
        return db.read(c -> sql.list(c, "UserGet", params("name", name), PostgresAccess::user)).stream().findFirst();
    }

    @Override
    public boolean createAccount(String name, String kind, String owner) {
        return db.inTransaction(c -> {
            int made;
            try (var ps = sql.prepare(c, "AccountInsert", params("name", name, "kind", kind, "now", clock.instant()))) {
                made = ps.executeUpdate();
            }
            if (made > 0) {
                try (var ps = sql.prepare(c, "AccountMemberSet", params("account", name, "user_name", owner,
                        "role", Role.OWNER.wireName(), "now", clock.instant()))) {
                    ps.executeUpdate();
                }
            }
            return made > 0;
        });
    }

    @Override
    public List<Account> accounts(String user, boolean all) {
        return db.read(c -> sql.list(c, "AccountList", params("user_name", user, "all", all),
                rs -> new Account(rs.getString("name"), rs.getString("kind"), Rows.instant(rs, "created_at"))));
    }

    @Override
    public Optional<Role> accountRole(String user, String account) {
        return db.read(c -> sql.list(c, "AccountMemberRole", params("account", account, "user_name", user),
                rs -> Role.fromWire(rs.getString("role")))).stream().findFirst();
    }

    @Override
    public boolean createWorkspace(String name, String account) {
        return update("WorkspaceInsert", params("name", name, "account", account, "now", clock.instant())) > 0;
    }

    @Override
    public List<Membership> workspaces(String user, boolean all) {
        return db.read(c -> sql.list(c, "WorkspaceListForUser", params("user_name", user), rs -> {
            String role = rs.getString("role");
            return role == null ? (all ? new Membership(rs.getString("workspace"), user, Role.OWNER) : null)
                    : new Membership(rs.getString("workspace"), user, Role.fromWire(role));
        })).stream().filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public List<Membership> members(String workspace) {
        return db.read(c -> sql.list(c, "WorkspaceMemberList", params("workspace", workspace),
                rs -> new Membership(rs.getString("workspace"), rs.getString("user_name"), Role.fromWire(rs.getString("role")))));
    }

    @Override
    public void setMember(String workspace, String user, Role role) {
        update("WorkspaceMemberSet", params("workspace", workspace, "user_name", user, "role", role.wireName(), "now", clock.instant()));
    }

    @Override
    public boolean removeMember(String workspace, String user) {
        return update("WorkspaceMemberDelete", params("workspace", workspace, "user_name", user)) > 0;
    }

    @Override
    public void setAccountMember(String account, String user, Role role) {
        update("AccountMemberSet", params("account", account, "user_name", user, "role", role.wireName(), "now", clock.instant()));
    }

    @Override
    public Token createToken(String user, String name, byte[] tokenHash, boolean readOnly, String workspace, Instant expiresAt) {
        return db.inTransaction(c -> sql.list(c, "ApiTokenInsert", params("user_name", user, "name", name, "token_hash", tokenHash,
                "read_only", readOnly, "workspace", workspace, "expires_at", expiresAt, "now", clock.instant()), PostgresAccess::token).get(0));
    }

    @Override
    public List<Token> tokens(String user) {
        return db.read(c -> sql.list(c, "ApiTokenList", params("user_name", user), PostgresAccess::token));
    }

    @Override
    public boolean revokeToken(String user, long id, boolean anyUser) {
        return update("ApiTokenRevoke", params("id", id, "user_name", user, "any_user", anyUser)) > 0;
    }

    private int update(String statement, java.util.Map<String, Object> values) {
        return db.inTransaction(c -> {
            try (var ps = sql.prepare(c, statement, values)) {
                return ps.executeUpdate();
            }
        });
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString("name"), rs.getBoolean("server_admin"), Rows.instant(rs, "created_at"));
    }

    private static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getLong("id"), rs.getString("name"), rs.getString("user_name"), rs.getBoolean("read_only"),
                rs.getString("workspace"), Rows.instant(rs, "expires_at"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "last_used_at"), rs.getBoolean("revoked"));
    }
}
