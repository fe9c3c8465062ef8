package dev.agentry.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.access.AccessStore;
import dev.agentry.core.access.ApiTokens;
import dev.agentry.core.access.Principal;
import dev.agentry.core.access.Role;
import dev.agentry.core.audit.AuditEntry;
import dev.agentry.core.audit.ExternalWrites;
import dev.agentry.core.audit.WriteRefused;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.pipeline.Durations;
import dev.agentry.core.pipeline.PipelineParser;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Who you are, your API tokens, accounts, workspaces, their members, and users. */
final class AccessRoutes {
    private static final Duration MAX_TOKEN_LIFE = Duration.ofDays(366);

    private final AccessStore store;
    private final ExternalWrites writes;
    private final Clock clock;

    AccessRoutes(AccessStore store, ExternalWrites writes, Clock clock) {
        this.store = store;
        this.writes = writes;
        this.clock = clock;
    }

    void me(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        var token = new LinkedHashMap<String, Object>();
        token.put("id", p.tokenId());
        token.put("name", p.tokenName());
        token.put("readOnly", p.readOnly());
        if (p.workspace() != null) {
            token.put("workspace", p.workspace());
        }
        if (p.expiresAt() != null) {
            token.put("expiresAt", p.expiresAt().toString());
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("user", p.user());
        body.put("serverAdmin", p.serverAdmin());
        body.put("token", token);
        body.put("workspaces", store.workspaces(p.user(), p.serverAdmin()).stream()
                .filter(m -> p.workspace() == null || p.workspace().equals(m.workspace()))
                .map(m -> Map.of("name", m.workspace(), "role", m.role().wireName())).toList());
        HttpApi.json(ctx, 200, body);
    }

    /** A new token for the caller, shown once in the answer and never again. */
    void createToken(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name", "expiresIn", "readOnly", "workspace");
        String name = Requests.text(body, "name", true, 100);
        if (name.isBlank()) {
            throw ApiProblem.badRequest("name", "a token needs a name, to recognise it in lists and the audit log");
        }
        Instant expires = null;
        String expiresIn = Requests.text(body, "expiresIn", false, 20);
        if (expiresIn != null) {
            var d = Durations.parse(expiresIn.strip());
            if (d.isEmpty() || d.get().isZero() || d.get().compareTo(MAX_TOKEN_LIFE) > 0) {
                throw ApiProblem.badRequest("expiresIn", "expected a duration such as 30d or 12h, at most 366d, got '"
                        + Requests.abbreviate(expiresIn) + "'");
            }
            expires = clock.instant().plus(d.get());
        }
        if (p.expiresAt() != null && (expires == null || expires.isAfter(p.expiresAt()))) {
            expires = p.expiresAt(); // a token cannot outlive the one that made it
        }
        JsonNode ro = body.get("readOnly");
        if (ro != null && !ro.isNull() && !ro.isBoolean()) {
            throw ApiProblem.badRequest("readOnly", "expected true or false, got " + Requests.kind(ro));
        }
        boolean readOnly = p.readOnly() || (ro != null && ro.asBoolean());
        String workspace = Requests.text(body, "workspace", false, 63);
        if (p.workspace() != null) {
            if (workspace != null && !workspace.equals(p.workspace())) {
                throw ApiProblem.badRequest("workspace", "this token is limited to workspace '" + p.workspace() + "'; so are the tokens it makes");
            }
            workspace = p.workspace();
        }
        if (workspace != null && !p.serverAdmin() && store.roleIn(p.user(), workspace).isEmpty()) {
            throw ApiProblem.notFound("workspace", "no workspace '" + Requests.abbreviate(workspace) + "'");
        }
        String token = ApiTokens.generate();
        var saved = store.createToken(p.user(), name.strip(), ApiTokens.hash(token), readOnly, workspace, expires);
        var view = view(saved);
        view.put("token", token);
        HttpApi.json(ctx, 201, view);
    }

    void tokens(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        HttpApi.json(ctx, 200, Map.of("items", store.tokens(p.user()).stream().map(AccessRoutes::view).toList()));
    }

    void revokeToken(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        long id = Requests.pathId(ctx, "id");
        if (!store.revokeToken(p.user(), id, p.serverAdmin())) {
            throw new NotFound("id", "no active token " + id + " of yours");
        }
        ctx.status(204);
    }

    void accounts(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        HttpApi.json(ctx, 200, Map.of("items", store.accounts(p.user(), p.serverAdmin()).stream()
                .map(a -> Map.of("name", a.name(), "kind", a.kind(), "createdAt", a.createdAt().toString())).toList()));
    }

    void createAccount(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name", "kind", "owner");
        String name = name(body, "name");
        String kind = Requests.text(body, "kind", false, 20);
        kind = kind == null ? "organisation" : kind;
        if (!kind.equals("person") && !kind.equals("organisation")) {
            throw ApiProblem.badRequest("kind", "expected person or organisation, got '" + Requests.abbreviate(kind) + "'");
        }
        String owner = Requests.text(body, "owner", false, 63);
        owner = owner == null ? p.user() : owner;
        if (store.user(owner).isEmpty()) {
            throw ApiProblem.badRequest("owner", "no user '" + Requests.abbreviate(owner) + "'");
        }
        if (!store.createAccount(name, kind, owner)) {
            throw new ApiProblem(409, "conflict", "Already exists", "an account named '" + name + "' exists", "name", null);
        }
        HttpApi.json(ctx, 201, Map.of("name", name, "kind", kind, "owner", owner));
    }

    void workspaces(Context ctx) {
        Principal p = ApiAccess.principal(ctx);
        HttpApi.json(ctx, 200, Map.of("items", store.workspaces(p.user(), p.serverAdmin()).stream()
                .filter(m -> p.workspace() == null || p.workspace().equals(m.workspace()))
                .map(m -> Map.of("name", m.workspace(), "role", m.role().wireName())).toList()));
    }

    /** {@code POST /api/accounts/{account}/workspaces}: the account's admins make workspaces in it. */
    void createWorkspace(Context ctx) {
        String account = ctx.pathParam("account");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name");
        String name = name(body, "name");
        if (!store.createWorkspace(name, account)) {
            throw new ApiProblem(409, "conflict", "Already exists", "a workspace named '" + name + "' exists", "name", null);
        }
        HttpApi.json(ctx, 201, Map.of("name", name, "account", account));
    }

    void members(Context ctx) {
        String ws = ctx.pathParam("workspace");
        HttpApi.json(ctx, 200, Map.of("items", store.members(ws).stream()
                .map(m -> Map.of("user", m.user(), "role", m.role().wireName())).toList()));
    }

    void setMember(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String user = ctx.pathParam("user");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "role");
        String roleText = Requests.text(body, "role", true, 20);
        Role role;
        try {
            role = Role.fromWire(roleText);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("role", e.getMessage());
        }
        if (store.user(user).isEmpty()) {
            throw new NotFound("user", "no user '" + Requests.abbreviate(user) + "'");
        }
        Principal by = ApiAccess.principal(ctx);
        audited(AuditEntry.of("membership-change", ws, by.actor(), "member " + user, Map.of("role", role.wireName())),
                () -> store.setMember(ws, user, role));
        HttpApi.json(ctx, 200, Map.of("workspace", ws, "user", user, "role", role.wireName()));
    }

    void removeMember(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String user = ctx.pathParam("user");
        Principal by = ApiAccess.principal(ctx);
        boolean removed;
        try {
            removed = writes.perform(AuditEntry.of("membership-change", ws, by.actor(), "member " + user, Map.of("role", "none")),
                    () -> store.removeMember(ws, user));
        } catch (WriteRefused e) {
            throw unavailable(e);
        }
        if (!removed) {
            throw new NotFound("user", "'" + Requests.abbreviate(user) + "' is not a member of workspace '" + ws + "'");
        }
        ctx.status(204);
    }

    void users(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", store.users().stream()
                .map(u -> Map.of("name", u.name(), "serverAdmin", u.serverAdmin(), "createdAt", u.createdAt().toString())).toList()));
    }

    /** A server administrator makes a user and, in the same answer, their first token (shown once). */
    void createUser(Context ctx) {
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name", "serverAdmin");
        String name = name(body, "name");
        JsonNode admin = body.get("serverAdmin");
        if (admin != null && !admin.isNull() && !admin.isBoolean()) {
            throw ApiProblem.badRequest("serverAdmin", "expected true or false, got " + Requests.kind(admin));
        }
        if (!store.createUser(name, admin != null && admin.asBoolean())) {
            throw new ApiProblem(409, "conflict", "Already exists", "a user named '" + name + "' exists", "name", null);
        }
        String token = ApiTokens.generate();
        var saved = store.createToken(name, "first", ApiTokens.hash(token), false, null, null);
        var view = view(saved);
        view.put("token", token);
        HttpApi.json(ctx, 201, Map.of("name", name, "serverAdmin", admin != null && admin.asBoolean(), "token", view));
    }

    /** A change the audit log must record first; without the log, the change is refused with 503. */
    private void audited(AuditEntry intent, Runnable change) {
        try {
            writes.perform(intent, () -> {
                change.run();
                return null;
            });
        } catch (WriteRefused e) {
            throw unavailable(e);
        }
    }

    private static ApiProblem unavailable(WriteRefused e) {
        return new ApiProblem(503, "audit-unavailable", "The audit log is unavailable", e.getMessage(), null, null);
    }

    private static String name(JsonNode body, String field) {
        String name = Requests.text(body, field, true, 63);
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest(field, "'" + Requests.abbreviate(name)
                    + "' is not a valid name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        return name;
    }

    private static Map<String, Object> view(AccessStore.Token t) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("user", t.user());
        m.put("readOnly", t.readOnly());
        if (t.workspace() != null) {
            m.put("workspace", t.workspace());
        }
        if (t.expiresAt() != null) {
            m.put("expiresAt", t.expiresAt().toString());
        }
        m.put("createdAt", t.createdAt().toString());
        if (t.lastUsedAt() != null) {
            m.put("lastUsedAt", t.lastUsedAt().toString());
        }
        if (t.revoked()) {
            m.put("revoked", true);
        }
        return m;
    }
}
