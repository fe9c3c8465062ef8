package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentry spend} and {@code agentry budget}: what models cost, and the caps on it. */
@Command(name = "spend", description = "Model spend this month: the workspace and its account, or one run's calls.")
public final class SpendCommand extends ClientCommand {
    @Option(names = "--run", paramLabel = "RUN", description = "Show one run's calls, tokens, cost and cache hit rate.")
    Long run;

    @Option(names = "--estimate", paramLabel = "PIPELINE", description = "Estimate what a run of the pipeline would cost, per agent step.")
    String estimate;

    @Override
    int execute(ApiClient api) {
        if (estimate != null) {
            JsonNode e = api.get("/pipelines/" + ApiClient.segment(estimate) + "/estimate", java.util.Map.of());
            if (options.json) {
                Output.json(out(), e);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            e.path("steps").forEach(st -> rows.add(List.of(st.path("step").asText(), st.path("agent").asText(),
                    st.path("model").asText("-"), st.has("estimateUsd") ? "$" + st.path("estimateUsd").asText() : "-", st.path("basis").asText())));
            Output.table(out(), List.of("STEP", "AGENT", "MODEL", "ESTIMATE", "BASIS"), rows);
            out().println(e.path("pipeline").asText() + "@" + e.path("version").asText() + ": about $" + e.path("estimateUsd").asText()
                    + " a run" + (e.path("complete").asBoolean() ? "" : " (some steps could not be estimated)"));
            return 0;
        }
        if (run == null) {
            JsonNode s = api.get("/spend", java.util.Map.of());
            if (options.json) {
                Output.json(out(), s);
                return 0;
            }
            out().println("month " + s.path("month").asText());
            out().println("workspace  $" + s.path("workspace").path("spentUsd").asText() + limit(s.path("workspace")));
            out().println("account    $" + s.path("account").path("spentUsd").asText() + limit(s.path("account"))
                    + " (" + s.path("account").path("name").asText() + ")");
            return 0;
        }
        JsonNode s = api.get("/runs/" + run + "/spend", java.util.Map.of());
        if (options.json) {
            Output.json(out(), s);
            return 0;
        }
        var rows = new ArrayList<List<String>>();
        s.path("items").forEach(c -> rows.add(List.of(c.path("id").asText(), c.path("step").asText(), c.path("model").asText(),
                c.path("usage").path("inputTokens").asText(), c.path("usage").path("outputTokens").asText(),
                c.path("usage").path("cacheReadTokens").asText(), "$" + c.path("costUsd").asText(), c.path("latencyMs").asText() + "ms")));
        Output.table(out(), List.of("CALL", "STEP", "MODEL", "IN", "OUT", "CACHED", "COST", "LATENCY"), rows);
        out().println("run " + run + ": $" + s.path("costUsd").asText() + " in " + s.path("calls").asText() + " calls, cache hit rate "
                + Math.round(s.path("cacheHitRate").asDouble() * 100) + "%" + limit(s.path("budget")));
        return 0;
    }

    private static String limit(JsonNode standing) {
        return standing.path("limitUsd").isNull() || standing.path("limitUsd").isMissingNode() ? ""
                : " of $" + standing.path("limitUsd").asText() + " (" + standing.path("percent").asText() + "%)";
    }

    /** {@code agentry budget}: sets a cap; runs paused by the old one resume at once if the new one allows. */
    @Command(name = "budget", description = {"Set a model budget in US dollars: monthly for the account or the workspace, in all for a run.",
            "At 80% a warning is recorded; at the cap the runs it covers pause until it allows again."})
    public static final class BudgetCommand extends ClientCommand {
        /** Neither: the workspace's monthly budget (the workspace the CLI works in). */
        static final class Scope {
            @Option(names = "--account", paramLabel = "NAME", required = true, description = "The account's monthly budget.") String account;
            @Option(names = "--run", paramLabel = "RUN", required = true, description = "One run's budget, in all.") Long run;
        }

        @ArgGroup(exclusive = true, multiplicity = "0..1") Scope scope;

        @Parameters(paramLabel = "USD", description = "The cap in US dollars, or 'none' to remove it.")
        String limit;

        @Option(names = "--override-until", paramLabel = "INSTANT",
                description = "Let calls through despite the cap until then (an administrator's override), e.g. 2026-12-01T00:00:00Z.")
        String overrideUntil;

        @Override
        int execute(ApiClient api) {
            var body = new LinkedHashMap<String, Object>();
            if (limit.equals("none")) {
                body.put("limitUsd", null);
            } else {
                try {
                    body.put("limitUsd", new java.math.BigDecimal(limit));
                } catch (NumberFormatException e) {
                    spec.commandLine().getErr().println("agentry budget: expected a number of US dollars or 'none', got '" + limit + "'");
                    return 2;
                }
            }
            if (overrideUntil != null) {
                body.put("overrideUntil", overrideUntil);
            }
            JsonNode saved = scope == null ? api.put("/budget", body, false)
                    : scope.account != null ? api.put("/accounts/" + ApiClient.segment(scope.account) + "/budget", body, true)
                    : api.put("/runs/" + scope.run + "/budget", body, false);
            if (options.json) {
                Output.json(out(), saved);
            } else {
                out().println(saved.path("scope").asText() + " budget: $" + saved.path("spentUsd").asText() + " spent" + limit(saved));
            }
            return 0;
        }
    }
}
