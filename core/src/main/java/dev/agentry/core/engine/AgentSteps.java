package dev.agentry.core.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.agent.AgentKind;
import dev.agentry.core.agent.Agents;
import dev.agentry.core.agent.InlineAgents;
import dev.agentry.core.agent.ModelChoice;
import dev.agentry.core.agent.PromptFragments;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.pipeline.Template;
import dev.agentry.core.run.RunState;
import dev.agentry.core.run.StepOutcome;
import dev.agentry.core.spend.CallScope;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs agent steps. Each attempt gets a run-scoped gateway token, its only way to a model: an inline kind runs
 * the built-in agent inside this node; any other kind runs as a job in the harness (the built-in agent as
 * {@code agentry agent}, or the kind's command-line agent), which finds the gateway in the variables the
 * official SDKs read. The token is revoked when the attempt ends, however it ends.
 */
final class AgentSteps {
    /** The exit code the built-in agent uses when a budget stopped it: the attempt is paused, not failed. */
    static final int EXIT_PAUSED = 75;
    /** How the harness starts the built-in agent: {@code AGENTRY_BIN} is set by Agentry's own pools. */
    static final String BUILTIN_COMMAND = "exec \"${AGENTRY_BIN:-agentry}\" agent";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TOKEN_SLACK = Duration.ofHours(1);

    private final RunStore runs;
    private final PipelineStore pipelines;
    private final Agents agents;
    private final Jobs jobs;
    private final Clock clock;

    AgentSteps(RunStore runs, PipelineStore pipelines, Agents agents, Jobs jobs, Clock clock) {
        this.runs = runs;
        this.pipelines = pipelines;
        this.agents = agents;
        this.jobs = jobs;
        this.clock = clock;
    }

    StepOutcome run(Dispatcher.Running entry, StepDefinition step, StepAction.Agent action, StreamOutput output) {
        Claim claim = entry.claim;
        var ref = claim.ref();
        var kind = agents.kinds().find(action.agent());
        if (kind.isEmpty()) {
            return StepOutcome.failed(ref, "agent kind '" + action.agent() + "' is not configured; known kinds: "
                    + String.join(", ", agents.kinds().all().stream().map(AgentKind::name).toList()), null, null);
        }
        var models = agents.models();
        String modelText = action.model() != null ? action.model() : kind.get().model() != null ? kind.get().model() : models.defaultModel();
        if (modelText == null || agents.tokens() == null || models.gatewayUrl() == null) {
            return StepOutcome.failed(ref, "no model is configured for agent '" + action.agent()
                    + "': set ANTHROPIC_API_KEY or OPENAI_API_KEY (or configure a provider) and restart the server", null, null);
        }
        ModelChoice choice = ModelChoice.parse(modelText, models.defaultProvider());
        var provider = models.provider(choice.provider());
        if (provider.isEmpty()) {
            return StepOutcome.failed(ref, "model '" + modelText + "' names provider '" + choice.provider()
                    + "', which is not configured; configured: " + String.join(", ", models.providers().keySet()), null, null);
        }
        Template.Context context = runs.templateContext(claim.runId());
        String prompt = Template.render(action.prompt(), context);
        String system;
        try {
            system = instructions(kind.get(), claim, step, action);
        } catch (PromptFragments.UnknownFragment e) {
            return StepOutcome.failed(ref, e.getMessage(), null, null);
        }
        var scope = new CallScope(claim.runId(), claim.stepId(), claim.idempotencyKey(), claim.workspace(), null, provider.get().name());
        Duration life = (step.timeout() == null ? kind.get().limits().wallTime() : step.timeout()).plus(TOKEN_SLACK);
        String token = agents.tokens().mint(scope, clock.instant().plus(life));
        String answer = claim.memo().get(RunState.AGENT_ANSWER);
        try {
            if (kind.get().inline()) {
                return inline(ref, new InlineAgents.Task(scope, kind.get(), provider.get().api(), choice.model(),
                        system, prompt, models.gatewayUrl(), token, answer));
            }
            var env = environment(kind.get(), system, provider.get(), choice.model(), prompt, token, answer);
            String command = kind.get().builtin() ? BUILTIN_COMMAND : kind.get().command();
            var job = new StepAction.Command(command, Map.of(), action.placement(), action.noOutputTimeout(), true);
            return fromJob(jobs.run(entry, step, job, JobSpec.COMMAND, output, env, false));
        } finally {
            agents.tokens().revoke(claim.idempotencyKey());
        }
    }

    /**
     * The kind's instructions, then the prompt fragments of the pipeline and of the step, at the versions the run
     * pinned. A command-line agent, which has no system prompt of its own here, gets them ahead of its task.
     */
    private String instructions(AgentKind kind, Claim claim, StepDefinition step, StepAction.Agent action) {
        var names = new java.util.ArrayList<String>();
        var pipeline = pipelines.byId(claim.versionId()).definition();
        pipeline.fragments().forEach(names::add);
        action.fragments().stream().filter(n -> !names.contains(n)).forEach(names::add);
        var text = new StringBuilder(kind.prompt() == null ? "" : kind.prompt());
        if (!names.isEmpty() && agents.fragments() != null) {
            for (var f : agents.fragments().pinned(claim.runId(), claim.workspace(), names)) {
                text.append(text.isEmpty() ? "" : "\n\n").append("## ").append(f.name()).append("\n").append(f.text());
            }
        } else if (!names.isEmpty()) {
            throw new PromptFragments.UnknownFragment("this node has no prompt fragments to give: " + String.join(", ", names));
        }
        return text.toString();
    }

    private StepOutcome inline(StepOutcome.StepRef ref, InlineAgents.Task task) {
        if (agents.inline() == null) {
            return StepOutcome.failed(ref, "this node cannot run inline agents", null, null);
        }
        return switch (agents.inline().run(task)) {
            case InlineAgents.End.Finished f -> StepOutcome.succeeded(ref, f.outputs(), null, null);
            case InlineAgents.End.Asked a -> StepOutcome.asked(ref, a.question(), null);
            case InlineAgents.End.Paused p -> StepOutcome.paused(ref, p.reason(), null);
            case InlineAgents.End.Failed f -> StepOutcome.failed(ref, f.error(), null, null);
        };
    }

    /** A finished agent job that reported a question asks a human; one that exited 75 was stopped by a budget. */
    private static StepOutcome fromJob(StepOutcome outcome) {
        return switch (outcome) {
            case StepOutcome.Succeeded s when s.outputs().containsKey("question") && !s.outputs().containsKey("answer") ->
                    new StepOutcome.Asked(s.runId(), s.stepId(), s.attempt(), s.owner(), s.outputs().get("question"), s.log(), Map.of());
            case StepOutcome.Failed f when f.exitCode() != null && f.exitCode() == EXIT_PAUSED ->
                    new StepOutcome.Paused(f.runId(), f.stepId(), f.attempt(), f.owner(), "a budget is spent", f.log());
            default -> outcome;
        };
    }

    /**
     * What an agent job finds in its environment: the task, the built-in agent's settings, and the gateway as
     * both Anthropic and OpenAI SDKs look for it, with the run-scoped token where they expect a key.
     */
    private Map<String, String> environment(AgentKind kind, String system, ProviderEndpoint provider, String model,
                                            String prompt, String token, String answer) {
        String gateway = agents.models().gatewayUrl().toString().replaceAll("/+$", "") + "/gateway";
        var env = new LinkedHashMap<String, String>();
        // the built-in agent reads its instructions from its settings; a command-line agent only sees its task
        env.put("AGENTRY_PROMPT", kind.builtin() || system.isBlank() ? prompt : system + "\n\n---\n\n" + prompt);
        env.put("AGENTRY_AGENT", settings(kind, system, model));
        env.put("AGENTRY_MODEL", model);
        env.put("AGENTRY_MODEL_API", provider.api().wireName());
        env.put("AGENTRY_GATEWAY_URL", gateway);
        env.put("ANTHROPIC_BASE_URL", gateway + "/anthropic");
        env.put("ANTHROPIC_API_KEY", token);
        env.put("ANTHROPIC_AUTH_TOKEN", token);
        env.put("ANTHROPIC_MODEL", model);
        env.put("OPENAI_BASE_URL", gateway + "/openai/v1");
        env.put("OPENAI_API_KEY", token);
        if (answer != null) {
            env.put("AGENTRY_ANSWER", answer);
        }
        return env;
    }

    /** The built-in agent's settings as {@code agentry agent} reads them from {@code AGENTRY_AGENT}. */
    static String settings(AgentKind kind, String system, String model) {
        var s = new LinkedHashMap<String, Object>();
        s.put("model", model);
        s.put("system", system);
        if (!kind.tools().isEmpty()) {
            s.put("tools", kind.tools()); // left out: every tool
        }
        s.put("commands", kind.commands());
        s.put("maxTurns", kind.limits().maxTurns());
        s.put("maxTokens", kind.limits().maxTokens());
        s.put("wallTime", kind.limits().wallTime().toString());
        s.put("noProgressTurns", kind.limits().noProgressTurns());
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
