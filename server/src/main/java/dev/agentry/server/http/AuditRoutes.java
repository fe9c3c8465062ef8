package dev.agentry.server.http;

import dev.agentry.core.audit.AuditLog;
import dev.agentry.core.audit.AuditRecord;
import dev.agentry.core.audit.AuditUnavailable;
import dev.agentry.core.audit.Verification;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log, read: a workspace's entries, and a check of the whole chain. Nothing here writes to the log;
 * entries come only from {@link dev.agentry.core.audit.ExternalWrites}.
 *
 * <p>Mounted ({@link #addTo}) as {@code GET /api/workspaces/{workspace}/audit} ({@link #list}) and
 * {@code POST /api/audit/verify} ({@link #verify}): a POST because a verification reads the whole log, which is not something to do on every
 * prefetch or crawl of a GET.
 */
public final class AuditRoutes {
    static final String LIST = HttpApi.WS + "/audit";
    static final String VERIFY = "/api/audit/verify";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    /** Adds both routes, as the API mounts them; problems still need the API's exception handlers to be answered. */
    public void addTo(RoutesConfig routes) {
        routes.get(LIST, this::list);
        routes.post(VERIFY, this::verify);
    }

    /** {@code ?after=ID&limit=N}: entries with an id above {@code after}, oldest first; {@code next} pages on. */
    void list(Context ctx) {
        String workspace = ctx.pathParam("workspace");
        long after = after(ctx.queryParam("after"));
        Integer limit = Requests.queryInt(ctx, "limit", 1, MAX_LIMIT);
        int n = limit == null ? DEFAULT_LIMIT : limit;
        List<AuditRecord> records = available(() -> audit.list(workspace, after, n));
        var body = new LinkedHashMap<String, Object>();
        body.put("items", records.stream().map(AuditRoutes::entry).toList());
        if (records.size() == n) {
            body.put("next", records.get(records.size() - 1).id());
        }
        HttpApi.json(ctx, 200, body);
    }

    /** Checks the whole chain: 200 either way, with {@code intact} saying which. */
    void verify(Context ctx) {
        Verification v = available(audit::verify);
        var body = new LinkedHashMap<String, Object>();
        switch (v) {
            case Verification.Intact intact -> {
                body.put("intact", true);
                body.put("entries", intact.count());
                body.put("head", intact.headHash());
            }
            case Verification.Broken broken -> {
                body.put("intact", false);
                body.put("firstBroken", broken.firstBrokenId());
                body.put("why", broken.why());
                body.put("expected", broken.expected());
                body.put("found", broken.found());
            }
        }
        HttpApi.json(ctx, 200, body);
    }

    static Map<String, Object> entry(AuditRecord r) {
        var e = r.entry();
        var m = new LinkedHashMap<String, Object>();
        m.put("id", r.id());
        m.put("at", r.at().toString());
        m.put("workspace", e.workspace());
        m.put("action", e.action());
        m.put("actor", e.actor());
        m.put("target", e.target());
        m.put("detail", e.detail());
        if (e.runId() != null) {
            m.put("runId", e.runId());
        }
        if (e.stepId() != null) {
            m.put("stepId", e.stepId());
        }
        m.put("prevHash", r.prevHash());
        m.put("hash", r.hash());
        return m;
    }

    private static long after(String raw) {
        if (raw == null || raw.isEmpty()) {
            return 0;
        }
        try {
            long n = Long.parseLong(raw.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.badRequest("after", "expected an audit entry id (a whole number, 0 or more), got '" + Requests.abbreviate(raw) + "'");
    }

    /** The log could not be read: a 503 that says so, rather than a 500 that looks like a bug. */
    private static <T> T available(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (AuditUnavailable e) {
            throw new ApiProblem(503, "audit-unavailable", "The audit log is unavailable", e.getMessage(), "", null);
        }
    }
}
