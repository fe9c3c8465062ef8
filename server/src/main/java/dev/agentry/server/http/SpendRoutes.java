package dev.agentry.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.agent.AgentKind;
import dev.agentry.core.agent.AgentKinds;
import dev.agentry.core.agent.ModelChoice;
import dev.agentry.core.agent.Models;
import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.engine.SpendLedger;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.spend.Budget;
import dev.agentry.core.spend.BudgetScope;
import dev.agentry.core.spend.Prices;
import dev.agentry.core.spend.SpendViews;
import dev.agentry.core.spend.Usage;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Agent kinds and models, spend per run, workspace and account, budgets, and a run's spend estimate. */
final class SpendRoutes {
    /** Tokens assumed for an agent step that never ran before: a short inline exchange, or a working session. */
    static final Usage ASSUMED_INLINE = new Usage(20_000, 2_000, 0, 0);
    static final Usage ASSUMED_RUNNER = new Usage(150_000, 15_000, 450_000, 50_000);
    private static final int HISTORY = 20;

    private final Engine engine;
    private final RunQueries queries;
    private final SpendLedger ledger;
    private final SpendViews views;
    private final AgentKinds kinds;
    private final Models models;
    private final Prices prices;

    SpendRoutes(Engine engine, RunQueries queries, SpendLedger ledger, SpendViews views, AgentKinds kinds, Models models,
                Prices prices) {
        this.engine = engine;
        this.queries = queries;
        this.ledger = ledger;
        this.views = views;
        this.kinds = kinds;
        this.models = models;
        this.prices = prices;
    }

    void agents(Context ctx) {
        var list = new ArrayList<Map<String, Object>>();
        for (AgentKind k : kinds.all()) {
            var m = new LinkedHashMap<String, Object>();
            m.put("name", k.name());
            m.put("description", k.description());
            m.put("model", k.model() != null ? k.model() : models.defaultModel());
            m.put("inline", k.inline());
            m.put("agent", k.builtin() ? "built-in" : "command");
            if (!k.builtin()) {
                m.put("command", k.command());
            }
            m.put("tools", k.tools());
            m.put("commands", k.commands());
            m.put("limits", Map.of("maxTurns", k.limits().maxTurns(), "maxTokens", k.limits().maxTokens(),
                    "wallTime", k.limits().wallTime().toString(), "noProgressTurns", k.limits().noProgressTurns()));
            list.add(m);
        }
        var providers = models.providers().values().stream().map(p -> Map.<String, Object>of("name", p.name(),
                "api", p.api().wireName(), "baseUrl", p.baseUrl().toString())).toList();
        var body = new LinkedHashMap<String, Object>();
        body.put("defaultModel", models.defaultModel());
        body.put("providers", providers);
        body.put("agents", list);
        HttpApi.json(ctx, 200, body);
    }

    void workspaceSpend(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String account = ledger.accountOf(ws);
        var body = new LinkedHashMap<String, Object>();
        body.put("month", java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString());
        body.put("workspace", standing(BudgetScope.workspace(ws)));
        var acct = standing(BudgetScope.account(account));
        acct.put("name", account);
        body.put("account", acct);
        HttpApi.json(ctx, 200, body);
    }

    void runSpend(Context ctx) {
        long id = run(ctx);
        var calls = views.calls(id, 10_000);
        Usage total = Usage.NONE;
        BigDecimal cost = BigDecimal.ZERO;
        var list = new ArrayList<Map<String, Object>>();
        for (var c : calls) {
            total = total.plus(c.usage());
            cost = cost.add(c.costUsd());
            var m = new LinkedHashMap<String, Object>();
            m.put("id", c.id());
            m.put("step", c.stepId());
            m.put("provider", c.provider());
            m.put("model", c.model());
            m.put("usage", usage(c.usage()));
            m.put("costUsd", money(c.costUsd()));
            if (!c.priced()) {
                m.put("priced", false);
            }
            m.put("latencyMs", c.latencyMs());
            m.put("promptItems", c.promptItems());
            m.put("storedItems", c.promptItems() - c.parentItems());
            m.put("at", c.at().toString());
            list.add(m);
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("run", id);
        body.put("costUsd", money(cost));
        body.put("calls", calls.size());
        body.put("usage", usage(total));
        body.put("cacheHitRate", Math.round(total.cacheHitRate() * 1000) / 1000.0);
        body.put("budget", standing(BudgetScope.run(id)));
        body.put("items", list);
        HttpApi.json(ctx, 200, body);
    }

    void prompt(Context ctx) {
        long id = run(ctx);
        long call = Requests.pathId(ctx, "call");
        var items = views.prompt(id, call).orElseThrow(() -> new NotFound("call", "run " + id + " has no model call " + call));
        var parsed = new ArrayList<JsonNode>();
        for (String item : items) {
            try {
                parsed.add(ApiJson.MAPPER.readTree(item));
            } catch (java.io.IOException e) {
                parsed.add(ApiJson.MAPPER.getNodeFactory().textNode(item));
            }
        }
        HttpApi.json(ctx, 200, Map.of("run", id, "call", call, "head", parsed.get(0), "messages", parsed.subList(1, parsed.size())));
    }

    void getBudget(Context ctx, BudgetScope scope) {
        HttpApi.json(ctx, 200, standing(scope));
    }

    void setBudget(Context ctx, BudgetScope scope) {
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "limitUsd", "overrideUntil");
        BigDecimal limit = null;
        JsonNode raw = body.get("limitUsd");
        if (raw != null && !raw.isNull()) {
            if (!raw.isNumber() || raw.decimalValue().signum() < 0 || raw.decimalValue().compareTo(new BigDecimal("1000000000")) > 0) {
                throw ApiProblem.badRequest("limitUsd", "expected a number of US dollars from 0 to 1000000000, or null for no cap, got "
                        + Requests.kind(raw));
            }
            limit = raw.decimalValue().setScale(6, RoundingMode.HALF_UP);
        }
        Instant overrideUntil = null;
        JsonNode rawOverride = body.get("overrideUntil");
        if (rawOverride != null && !rawOverride.isNull()) {
            if (scope.kind() == BudgetScope.Kind.RUN) {
                throw ApiProblem.badRequest("overrideUntil", "a run's budget has no override; raise or remove its limit instead");
            }
            try {
                overrideUntil = Instant.parse(rawOverride.asText());
            } catch (DateTimeParseException e) {
                throw ApiProblem.badRequest("overrideUntil", "expected an instant such as 2026-12-01T00:00:00Z, got " + Requests.kind(rawOverride));
            }
        }
        ledger.setBudget(new Budget(scope, limit, overrideUntil));
        HttpApi.json(ctx, 200, standing(scope));
    }

    BudgetScope account(Context ctx) {
        String name = ctx.pathParam("account");
        if (!views.accountExists(name)) {
            throw new NotFound("account", "no account '" + Requests.abbreviate(name) + "'");
        }
        return BudgetScope.account(name);
    }

    BudgetScope workspace(Context ctx) {
        return BudgetScope.workspace(ctx.pathParam("workspace"));
    }

    BudgetScope runScope(Context ctx) {
        return BudgetScope.run(run(ctx));
    }

    /**
     * What a run of the pipeline would cost: per agent step, the median of what earlier attempts of the same step
     * and model cost, or a typical session's tokens at the model's price when it never ran.
     */
    void estimate(Context ctx) {
        String ws = ctx.pathParam("workspace");
        var pipeline = engine.pipeline(ws, ctx.pathParam("name"), null);
        BigDecimal total = BigDecimal.ZERO;
        boolean complete = true;
        var steps = new ArrayList<Map<String, Object>>();
        for (var step : pipeline.definition().steps()) {
            if (!(step.action() instanceof StepAction.Agent a)) {
                continue;
            }
            var kind = kinds.find(a.agent());
            String modelText = a.model() != null ? a.model() : kind.map(AgentKind::model).orElse(null);
            modelText = modelText != null ? modelText : models.defaultModel();
            var m = new LinkedHashMap<String, Object>();
            m.put("step", step.id());
            m.put("agent", a.agent());
            m.put("model", modelText);
            if (modelText == null) {
                m.put("basis", "no model is configured");
                complete = false;
                steps.add(m);
                continue;
            }
            String model = ModelChoice.parse(modelText, models.defaultProvider()).model();
            var history = views.history(ws, step.id(), model, HISTORY);
            BigDecimal cost;
            if (!history.isEmpty()) {
                var costs = history.stream().map(SpendViews.Attempt::costUsd).sorted().toList();
                cost = costs.get(costs.size() / 2);
                m.put("basis", "median of the last " + costs.size() + " attempts of this step");
            } else {
                Usage assumed = kind.map(AgentKind::inline).orElse(false) ? ASSUMED_INLINE : ASSUMED_RUNNER;
                var price = prices.of(model);
                if (price.isEmpty()) {
                    m.put("basis", "model '" + model + "' has no price in the price table");
                    complete = false;
                    steps.add(m);
                    continue;
                }
                cost = price.get().cost(assumed);
                m.put("basis", "typical tokens for a " + (kind.map(AgentKind::inline).orElse(false) ? "inline" : "repository")
                        + " agent (no history yet)");
                m.put("assumedUsage", usage(assumed));
            }
            m.put("estimateUsd", money(cost));
            total = total.add(cost);
            steps.add(m);
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("pipeline", pipeline.name());
        body.put("version", pipeline.version());
        body.put("estimateUsd", money(total));
        body.put("complete", complete);
        body.put("steps", steps);
        HttpApi.json(ctx, 200, body);
    }

    private long run(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        queries.run(ws, id).orElseThrow(() -> new NotFound("id", "no run " + id + " in workspace '" + ws + "'"));
        return id;
    }

    private Map<String, Object> standing(BudgetScope scope) {
        Budget budget = ledger.budget(scope);
        BigDecimal spent = ledger.spent(scope);
        var m = new LinkedHashMap<String, Object>();
        m.put("scope", scope.kind().wireName());
        m.put("spentUsd", money(spent));
        m.put("limitUsd", budget.limit() == null ? null : money(budget.limit()));
        if (budget.limit() != null && budget.limit().signum() > 0) {
            m.put("percent", spent.multiply(BigDecimal.valueOf(100)).divide(budget.limit(), 1, RoundingMode.HALF_UP));
        }
        if (budget.overrideUntil() != null) {
            m.put("overrideUntil", budget.overrideUntil().toString());
        }
        return m;
    }

    private static Map<String, Object> usage(Usage u) {
        return Map.of("inputTokens", u.input(), "outputTokens", u.output(), "cacheReadTokens", u.cacheRead(),
                "cacheWriteTokens", u.cacheWrite());
    }

    /** Dollars as a number with at most six decimals (a millionth of a dollar is below any price). */
    private static BigDecimal money(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    }
}
