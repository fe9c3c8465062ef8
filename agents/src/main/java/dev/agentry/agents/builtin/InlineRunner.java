package dev.agentry.agents.builtin;

import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.provider.ProviderSettings;
import dev.agentry.agents.provider.Providers;
import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.agent.InlineAgents;
import dev.agentry.core.agent.ProviderEndpoint;
import java.time.Clock;
import java.util.LinkedHashMap;

/**
 * Runs inline agent kinds in the node: the built-in agent with no working tree, talking to its model through
 * the gateway (over HTTP, with the attempt's run-scoped token, so inline calls are metered and budgeted like
 * any other) and checkpointing every turn in the database.
 */
public final class InlineRunner implements InlineAgents {
    private final AgentCheckpoints checkpoints;
    private final ProviderSettings providerSettings;
    private final Clock clock;

    public InlineRunner(AgentCheckpoints checkpoints, ProviderSettings providerSettings, Clock clock) {
        this.checkpoints = checkpoints;
        this.providerSettings = providerSettings;
        this.clock = clock;
    }

    @Override
    public End run(Task task) {
        var kind = task.kind();
        var limits = kind.limits();
        var settings = AgentSettings.of(task.model(), task.system())
                .withTools(kind.tools().isEmpty() ? null : kind.tools())
                .withLimits(limits.maxTurns(), limits.maxTokens(), limits.wallTime(), limits.noProgressTurns());
        String gateway = task.gatewayUrl().toString().replaceAll("/+$", "") + "/gateway";
        String base = task.api() == ProviderEndpoint.Api.ANTHROPIC ? gateway + "/anthropic" : gateway + "/openai/v1";
        ModelProvider provider = Providers.create(task.api(), base, task.token(), providerSettings);
        try {
            var result = new BuiltinAgent(settings, provider, clock)
                    .run(task.prompt(), null, new PortCheckpoints(checkpoints, task.scope()), task.answer());
            return switch (result) {
                case AgentResult.Finished f -> {
                    var outputs = new LinkedHashMap<>(f.outputs());
                    outputs.put("answer", f.answer());
                    yield new End.Finished(outputs);
                }
                case AgentResult.Asked a -> new End.Asked(a.question());
                case AgentResult.Paused p -> new End.Paused(p.message());
                case AgentResult.Stopped s -> new End.Failed("the agent stopped: " + s.reason().text() + "\n" + s.diagnostic());
                case AgentResult.Failed f -> new End.Failed(f.message());
            };
        } finally {
            if (provider instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // an HTTP client that does not close cleanly leaks nothing we can act on
                }
            }
        }
    }
}
