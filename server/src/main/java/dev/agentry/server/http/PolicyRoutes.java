package dev.agentry.server.http;

import dev.agentry.core.audit.AuditEntry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.ActionKinds;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyVersion;
import dev.agentry.policy.Policies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workspace's policy over HTTP: apply a version (YAML or JSON), read the latest or any version, list them, and
 * try an action against the policy to see what it would decide.
 *
 * <pre>
 * POST /api/workspaces/{workspace}/policy                      apply: 201 new version, 200 unchanged, 422 invalid
 * GET  /api/workspaces/{workspace}/policy                      the latest version, with its source
 * GET  /api/workspaces/{workspace}/policy/versions             every version, newest first
 * GET  /api/workspaces/{workspace}/policy/versions/{version}   one version, with its source
 * POST /api/workspaces/{workspace}/policy/evaluate[?version=N] {"kind": "git-push", ...}: the decision
 * </pre>
 */
public final class PolicyRoutes {
    public static final String POLICY = HttpApi.WS + "/policy";
    public static final String VERSIONS = POLICY + "/versions";
    public static final String VERSION = VERSIONS + "/{version}";
    public static final String EVALUATE = POLICY + "/evaluate";

    private final Policies policies;

    /** Every applied policy is recorded in the audit log first; null in tests of the routes alone. */
    private dev.agentry.core.audit.ExternalWrites writes;

    public PolicyRoutes auditedBy(dev.agentry.core.audit.ExternalWrites writes) {
        this.writes = writes;
        return this;
    }

    public PolicyRoutes(Policies policies) {
        this.policies = policies;
    }

    /** Adds the routes above, e.g. inside {@code Javalin.create(config -> policy.addTo(config.routes))}. */
    public void addTo(RoutesConfig routes) {
        routes.post(POLICY, this::apply);
        routes.get(POLICY, this::latest);
        routes.get(VERSIONS, this::versions);
        routes.get(VERSION, this::version);
        routes.post(EVALUATE, this::evaluate);
    }

    public record RuleView(String name, String when, String decision, String reason) {}

    public record PolicyView(String name, int version, String description, @JsonProperty("default") String defaultDecision,
                             List<RuleView> rules, String digest, Instant createdAt, Boolean created, String source) {}

    public record DecisionView(String verdict, String rule, String reason, int policyVersion, Map<String, Object> action,
                               Map<String, Object> run) {}

    PolicyView view(PolicyVersion v, Boolean created, boolean withSource) {
        var document = policies.document(v);
        var rules = document.rules().stream()
                .map(r -> new RuleView(r.name(), r.when(), r.verdict().wireName(), r.reason())).toList();
        return new PolicyView(document.name(), v.version(), document.description(), document.defaultVerdict().wireName(), rules,
                v.digest(), v.createdAt(), created, withSource ? v.source() : null);
    }

    /** The body is the policy document itself, YAML or JSON. */
    public void apply(Context ctx) {
        try {
            String ws = ctx.pathParam("workspace");
            String source = ctx.body();
            var principal = ApiAccess.principal(ctx);
            var applied = writes == null ? policies.apply(ws, source) : writes.perform(
                    AuditEntry.of("policy-change", ws, principal == null ? "api" : principal.actor(), "policy of " + ws,
                            Map.of("bytes", Integer.toString(source.length()))),
                    () -> policies.apply(ws, source),
                    a -> Map.of("version", Integer.toString(a.version().version()), "created", Boolean.toString(a.created())));
            HttpApi.json(ctx, applied.created() ? 201 : 200, view(applied.version(), applied.created(), false));
        } catch (InvalidDefinition e) {
            throw new ApiProblem(422, "invalid-policy", "The policy is not valid", e.getMessage(), e.problems().get(0).field(),
                    e.problems());
        }
    }

    public void latest(Context ctx) {
        HttpApi.json(ctx, 200, view(policies.latest(ctx.pathParam("workspace")), null, true));
    }

    public void versions(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", policies.versions(ctx.pathParam("workspace")).stream()
                .map(v -> view(v, null, false)).toList()));
    }

    public void version(Context ctx) {
        HttpApi.json(ctx, 200, view(policies.version(ctx.pathParam("workspace"), versionParam(ctx)), null, true));
    }

    /**
     * The body is an action as {@code {"kind": ..., <attributes>}}, with an optional {@code run} object
     * ({@code id}, {@code step}, {@code agent}, {@code pipeline}) for conditions about the run; without it the action
     * is judged as outside any run. {@code ?version=N} tries an older version; otherwise the latest decides, exactly
     * as it would for a run.
     */
    public void evaluate(Context ctx) {
        String workspace = ctx.pathParam("workspace");
        Integer version = Requests.queryInt(ctx, "version", 1, Integer.MAX_VALUE);
        ObjectNode body = ((ObjectNode) Requests.object(ctx, false)).deepCopy();
        Action.Context context = runContext(workspace, body.remove("run"));
        Action action;
        try {
            action = ActionKinds.read(body, context);
        } catch (InvalidDefinition e) {
            throw new ApiProblem(400, "invalid-request", "The request is not valid", e.getMessage(), e.problems().get(0).field(),
                    e.problems());
        }
        PolicyDecision decision = version == null ? policies.decide(workspace, action) : policies.decide(workspace, action, version);
        var seen = new LinkedHashMap<String, Object>();
        seen.put("kind", action.kind());
        seen.putAll(action.attributes());
        HttpApi.json(ctx, 200, new DecisionView(decision.verdict().wireName(), decision.rule(), decision.reason(),
                decision.policyVersion(), seen, context.attributes()));
    }

    private static Action.Context runContext(String workspace, JsonNode run) {
        if (run == null || run.isNull()) {
            return Action.Context.outsideRun(workspace);
        }
        if (!run.isObject()) {
            throw ApiProblem.badRequest("run", "expected an object with id, step, agent and pipeline, got " + Requests.kind(run));
        }
        try {
            Requests.allowOnly(run, "id", "step", "agent", "pipeline");
            JsonNode id = run.get("id");
            if (id != null && !id.isNull() && (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 0)) {
                throw ApiProblem.badRequest("id", "expected a run id (a whole number, 0 or more), got " + Requests.kind(id));
            }
            return new Action.Context(workspace, id == null || id.isNull() ? 0 : id.asLong(), Requests.text(run, "step", false, 200),
                    Requests.text(run, "agent", false, 200), Requests.text(run, "pipeline", false, 200));
        } catch (ApiProblem p) { // the field is inside run
            throw ApiProblem.badRequest("run." + p.field(), p.getMessage());
        }
    }

    private static int versionParam(Context ctx) {
        long requested = Requests.pathId(ctx, "version");
        if (requested > Integer.MAX_VALUE) { // no such version, and clamping it would name the wrong one
            throw new NotFound("version", "the policy has no version " + requested);
        }
        return (int) requested;
    }
}
