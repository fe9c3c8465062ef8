package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.event.NewEvent;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.RunStore;
import dev.agentry.core.spend.Budget;
import dev.agentry.core.spend.BudgetScope;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.SpendStore;
import dev.agentry.core.spend.SpendViews;
import dev.agentry.core.spend.Usage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Metered calls, spend totals and budgets in PostgreSQL. A call's prompt is stored as a delta on the longest
 * earlier prompt of its run that it extends, found by chained hashes of its items, so a conversation of n turns
 * stores O(n) items rather than O(n²).
 */
public final class PostgresSpend implements SpendStore, SpendViews {
    private static final byte[] NO_HASH = new byte[32];

    private final Database db;
    private final Signals signals;
    private final Clock clock;
    private final Sql calls = Sql.load("model_call");
    private final Sql totals = Sql.load("spend_total");
    private final Sql budgets = Sql.load("budget");
    private final Sql workspaces = Sql.load("workspace");

    public PostgresSpend(Database db, Signals signals, Clock clock) {
        this.db = db;
        this.signals = signals;
        this.clock = clock;
    }

    @Override
    public List<Standing> standings(CallScope scope, YearMonth month) {
        return db.read(c -> {
            String account = scope.account() != null ? scope.account() : accountOf(c, scope.workspace());
            return budgets.list(c, "BudgetStandings", params("month", month.toString(), "account", account,
                    "workspace", scope.workspace(), "run_id", Long.toString(scope.runId())), rs -> {
                var budget = budget(rs);
                String period = budget.scope().period(month);
                return new Standing(budget, rs.getBigDecimal("spent"), period.equals(rs.getString("warned_period")));
            });
        });
    }

    @Override
    public long record(MeteredCall call, BigDecimal cost, boolean priced, YearMonth month, Map<String, Object> event) {
        var scope = call.scope();
        var items = call.prompt();
        String[] hashes = chain(items);
        long id = db.inTransaction(c -> {
            String account = scope.account() != null ? scope.account() : accountOf(c, scope.workspace());
            Long parent = null;
            int parentItems = 0;
            var found = calls.list(c, "ModelCallFindParent", params("run_id", scope.runId(), "hashes", hashes),
                    rs -> new long[] {rs.getLong("id"), rs.getInt("prompt_items")});
            if (!found.isEmpty()) {
                parent = found.get(0)[0];
                parentItems = (int) found.get(0)[1];
            }
            var u = call.usage();
            long callId = calls.list(c, "ModelCallInsert", params("run_id", scope.runId(), "step_id", scope.stepId(),
                    "idempotency_key", scope.idempotencyKey(), "workspace", scope.workspace(), "account", account,
                    "provider", scope.provider(), "api", call.api(), "model", call.model(), "input_tokens", u.input(),
                    "output_tokens", u.output(), "cache_read_tokens", u.cacheRead(), "cache_write_tokens", u.cacheWrite(),
                    "cost_usd", cost, "priced", priced, "latency_ms", call.latency().toMillis(), "status", call.status(),
                    "prompt_parent", parent, "parent_items", parentItems, "prompt_items", items.size(),
                    "prompt_hash", items.isEmpty() ? HexFormat.of().formatHex(NO_HASH) : hashes[items.size() - 1],
                    "reply", call.reply(), "month", month.toString(), "now", clock.instant()), rs -> rs.getLong("id")).get(0);
            if (items.size() > parentItems) {
                int n = items.size() - parentItems;
                Integer[] positions = new Integer[n];
                String[] bodies = new String[n];
                for (int i = 0; i < n; i++) {
                    positions[i] = parentItems + i;
                    bodies[i] = items.get(parentItems + i);
                }
                try (var ps = calls.prepare(c, "ModelCallItemInsert", params("call_id", callId, "positions", positions, "bodies", bodies))) {
                    ps.executeUpdate();
                }
            }
            try (var ps = totals.prepare(c, "SpendTotalAdd", params("cost_usd", cost,
                    "kinds", new String[] {"account", "workspace", "run"},
                    "ids", new String[] {account, scope.workspace(), Long.toString(scope.runId())},
                    "periods", new String[] {month.toString(), month.toString(), "all"}))) {
                ps.executeUpdate();
            }
            var data = new LinkedHashMap<String, Object>(event);
            data.put("call", callId);
            PostgresEventLog.append(c, List.of(new NewEvent(scope.workspace(), "spend.recorded", scope.runId(), scope.stepId(), null, data)),
                    clock.instant());
            return callId;
        });
        signals.raise(RunStore.Signal.EVENTS_WRITTEN);
        return id;
    }

    /** h_i = sha256(h_(i-1) || item_i), as hex: equal hashes mean equal prefixes. */
    static String[] chain(List<String> items) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            byte[] h = NO_HASH;
            String[] out = new String[items.size()];
            for (int i = 0; i < items.size(); i++) {
                digest.update(h);
                digest.update(items.get(i).getBytes(StandardCharsets.UTF_8));
                h = digest.digest();
                out[i] = HexFormat.of().formatHex(h);
            }
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean warn(BudgetScope scope, YearMonth month, String workspace, Map<String, Object> event) {
        boolean warned = db.inTransaction(c -> {
            int changed;
            try (var ps = budgets.prepare(c, "BudgetMarkWarned", params("scope_kind", scope.kind().wireName(),
                    "scope_id", scope.id(), "period", scope.period(month)))) {
                changed = ps.executeUpdate();
            }
            if (changed > 0) {
                Long run = scope.kind() == BudgetScope.Kind.RUN ? Long.parseLong(scope.id()) : null;
                PostgresEventLog.append(c, List.of(new NewEvent(workspace, "budget.warning", run, null, null, event)), clock.instant());
            }
            return changed > 0;
        });
        if (warned) {
            signals.raise(RunStore.Signal.EVENTS_WRITTEN);
        }
        return warned;
    }

    @Override
    public List<Long> runningRuns(BudgetScope scope) {
        return db.read(c -> budgets.list(c, "BudgetRunningRuns", params("scope_kind", scope.kind().wireName(),
                "scope_id", scope.id()), rs -> rs.getLong("id")));
    }

    @Override
    public List<PausedRun> pausedRuns() {
        return db.read(c -> budgets.list(c, "BudgetPausedRuns", params(),
                rs -> new PausedRun(rs.getLong("id"), rs.getString("workspace"), rs.getString("account"))));
    }

    @Override
    public Optional<Budget> budget(BudgetScope scope) {
        return db.read(c -> budgets.list(c, "BudgetGet", params("scope_kind", scope.kind().wireName(), "scope_id", scope.id()),
                PostgresSpend::budget)).stream().findFirst();
    }

    @Override
    public void saveBudget(Budget budget) {
        db.inTransaction(c -> {
            try (var ps = budgets.prepare(c, "BudgetSave", params("scope_kind", budget.scope().kind().wireName(),
                    "scope_id", budget.scope().id(), "limit_usd", budget.limit(), "override_until", budget.overrideUntil(),
                    "now", clock.instant()))) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public String accountOf(String workspace) {
        return db.read(c -> accountOf(c, workspace));
    }

    private String accountOf(Connection c, String workspace) throws SQLException {
        var found = workspaces.list(c, "WorkspaceAccount", params("workspace", workspace), rs -> rs.getString("account"));
        return found.isEmpty() ? "default" : found.get(0);
    }

    @Override
    public BigDecimal spent(BudgetScope scope, YearMonth month) {
        return db.read(c -> totals.list(c, "SpendTotalGet", params("scope_kind", scope.kind().wireName(), "scope_id", scope.id(),
                "period", scope.period(month)), rs -> rs.getBigDecimal("cost_usd"))).stream().findFirst().orElse(BigDecimal.ZERO);
    }

    private static Budget budget(ResultSet rs) throws SQLException {
        var kind = BudgetScope.Kind.valueOf(rs.getString("scope_kind").toUpperCase());
        return new Budget(new BudgetScope(kind, rs.getString("scope_id")), rs.getBigDecimal("limit_usd"),
                Rows.instant(rs, "override_until"));
    }

    // ---- views ------------------------------------------------------------------------------------

    @Override
    public List<CallView> calls(long runId, int limit) {
        return db.read(c -> calls.list(c, "ModelCallListByRun", params("run_id", runId, "limit", limit), rs -> new CallView(
                rs.getLong("id"), rs.getString("step_id"), rs.getString("provider"), rs.getString("api"), rs.getString("model"),
                new Usage(rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cache_read_tokens"),
                        rs.getLong("cache_write_tokens")), rs.getBigDecimal("cost_usd"), rs.getBoolean("priced"),
                rs.getLong("latency_ms"), rs.getInt("status"), rs.getInt("parent_items"), rs.getInt("prompt_items"),
                Rows.instant(rs, "created_at"))));
    }

    @Override
    public Optional<List<String>> prompt(long runId, long callId) {
        // every stored prompt has at least its head item, so no items means no such call in the run
        var items = db.read(c -> calls.list(c, "ModelCallPrompt", params("id", callId, "run_id", runId), rs -> rs.getString("body")));
        return items.isEmpty() ? Optional.empty() : Optional.of(items);
    }

    @Override
    public Stored stored(long runId) {
        return db.read(c -> calls.list(c, "ModelCallStoredItems", params("run_id", runId),
                rs -> new Stored(rs.getLong("items"), rs.getLong("chars"))).get(0));
    }

    @Override
    public List<Attempt> history(String workspace, String stepId, String model, int limit) {
        return db.read(c -> calls.list(c, "ModelCallStepHistory", params("workspace", workspace, "step_id", stepId,
                "model", model, "limit", limit), rs -> new Attempt(new Usage(rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                rs.getLong("cache_read_tokens"), rs.getLong("cache_write_tokens")), rs.getBigDecimal("cost_usd"))));
    }

    @Override
    public boolean accountExists(String name) {
        return !db.read(c -> workspaces.list(c, "AccountExists", params("name", name), rs -> 1)).isEmpty();
    }
}
