package dev.agentry.server.http;

import dev.agentry.core.access.AccessStore;
import dev.agentry.core.access.ApiTokens;
import dev.agentry.core.access.Permission;
import dev.agentry.core.access.Principal;
import dev.agentry.core.access.Role;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what, decided in one place for every request: the token names a user, the user's role in the
 * workspace (or their account) grants permissions, and the table in {@link #permission} says what each request
 * needs. A workspace the caller cannot see answers 404, the same as one that does not exist, so names do not
 * leak across tenants; one they can see but not change answers 403.
 */
public final class ApiAccess {
    static final String PRINCIPAL = "principal";
    private static final Pattern WORKSPACE_PATH = Pattern.compile("^/api/workspaces/([^/]+)(/.*)?$");
    private static final Pattern ACCOUNT_PATH = Pattern.compile("^/api/accounts/([^/]+)(/.*)?$");
    /** Requests a member may make besides reading: running work, not configuring it. */
    private static final Pattern OPERATE = Pattern.compile(
            "^/(runs|runs/[^/]+/(cancel|retry|rerun)|decisions/[^/]+/(approve|reject|answer)|attention/[^/]+/resolve"
                    + "|repositories/[^/]+/checks|blocks/[^/]+/runs|waves)$");
    /** Paths that authenticate by other means: their own run-scoped token, a signature, a lease. */
    private static final Set<String> OPEN_PREFIXES = Set.of("/gateway/", "/hooks/");
    private static final Set<String> OPEN = Set.of("/healthz", "/api/leases/exchange");

    private final AccessStore store;
    private final Clock clock;

    public ApiAccess(AccessStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The before-handler of every HTTP request. */
    void check(Context ctx) {
        String path = ctx.path();
        if (OPEN.contains(path) || OPEN_PREFIXES.stream().anyMatch(path::startsWith) || WebPage.isPage(path)) {
            return;
        }
        var found = authenticate(bearer(ctx.header("Authorization"), ctx.method().name().equals("GET")
                ? ctx.queryParam("access_token") : null));
        if (found.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"agentry\"");
            throw unauthorized();
        }
        Principal principal = found.get();
        ctx.attribute(PRINCIPAL, principal);
        String method = ctx.method().name();
        boolean reads = method.equals("GET") || method.equals("HEAD");
        if (principal.readOnly() && !reads) {
            throw new ApiProblem(403, "forbidden", "Forbidden", "this token is read-only", null, null);
        }
        var ws = WORKSPACE_PATH.matcher(path);
        if (ws.matches()) {
            String workspace = ws.group(1);
            Role role = roleIn(principal, workspace).orElseThrow(() -> noWorkspace(workspace));
            Permission needed = permission(method, ws.group(2) == null ? "" : ws.group(2));
            if (!needed.grantedTo(role)) {
                throw forbidden("this needs the role " + needed.least().wireName() + " in workspace '" + Requests.abbreviate(workspace)
                        + "'; you are " + role.wireName());
            }
            return;
        }
        var account = ACCOUNT_PATH.matcher(path);
        if (account.matches()) {
            String name = account.group(1);
            Role role = principal.serverAdmin() ? Role.OWNER : store.accountRole(principal.user(), name)
                    .orElseThrow(() -> new ApiProblem(404, "not-found", "Not found", "no account '" + Requests.abbreviate(name) + "'",
                            "account", null));
            if (!reads && !role.atLeast(Role.ADMIN)) {
                throw forbidden("changing account '" + Requests.abbreviate(name) + "' needs the role admin in it; you are " + role.wireName());
            }
            return;
        }
        if (adminOnly(method, path) && !principal.serverAdmin()) {
            throw forbidden(path.startsWith("/api/pools") ? "only server administrators change runner pools"
                    : "only server administrators may do this");
        }
    }

    /** The role of a principal in a workspace; empty when it may not see it (or it does not exist for it). */
    Optional<Role> roleIn(Principal principal, String workspace) {
        if (principal.workspace() != null && !principal.workspace().equals(workspace)) {
            return Optional.empty();
        }
        return principal.serverAdmin() ? Optional.of(Role.OWNER) : store.roleIn(principal.user(), workspace);
    }

    /**
     * What a request under {@code /api/workspaces/{ws}} needs: reading needs a viewer, running work a member,
     * managing members an owner, and changing anything else about the workspace an admin.
     */
    static Permission permission(String method, String rest) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return Permission.READ;
        }
        if (rest.startsWith("/members")) {
            return Permission.MANAGE_MEMBERS;
        }
        if (method.equals("POST") && OPERATE.matcher(rest).matches()) {
            return Permission.OPERATE;
        }
        return Permission.CONFIGURE;
    }

    /** Deployment-wide requests only a server administrator may make: every workspace's events, pools, users. */
    private static boolean adminOnly(String method, String path) {
        boolean reads = method.equals("GET") || method.equals("HEAD");
        return path.equals("/api/events") || path.equals("/api/events/export") || path.equals("/api/streams")
                || path.equals("/api/ws") || path.startsWith("/api/users") || path.startsWith("/api/audit")
                || (path.startsWith("/api/pools") && !reads) || (path.equals("/api/accounts") && !reads);
    }

    /** A WebSocket upgrade: the same rules, checked by the socket (HTTP before-handlers do not see upgrades). */
    boolean mayRead(String authorization, String accessToken, String workspace) {
        var principal = authenticate(bearer(authorization, accessToken));
        if (principal.isEmpty()) {
            return false;
        }
        return workspace == null ? principal.get().serverAdmin() : roleIn(principal.get(), workspace).isPresent();
    }

    Optional<Principal> authenticate(String token) {
        if (!ApiTokens.plausible(token)) {
            return Optional.empty();
        }
        return store.authenticate(ApiTokens.hash(token), clock.instant());
    }

    private static String bearer(String header, String queryToken) {
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).strip();
        }
        return queryToken;
    }

    static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    private static ApiProblem unauthorized() {
        return new ApiProblem(401, "unauthorized", "Unauthorized",
                "send an API token as 'Authorization: Bearer <token>' (the CLI reads AGENTRY_TOKEN or the token 'agentry login' saved); "
                        + "the token is missing, unknown, expired or revoked", null, null);
    }

    private static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail, null, null);
    }

    private static ApiProblem noWorkspace(String workspace) {
        return ApiProblem.notFound("workspace", "no workspace '" + Requests.abbreviate(workspace) + "'");
    }
}
