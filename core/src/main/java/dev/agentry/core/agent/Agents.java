package dev.agentry.core.agent;

import dev.agentry.core.spend.GatewayTokens;

/**
 * What a node runs agent steps with: the kinds it knows, the models and gateway, run-scoped tokens, the
 * in-node runner for inline kinds, and the prompt fragments.
 */
public record Agents(AgentKinds kinds, Models models, GatewayTokens tokens, InlineAgents inline, PromptFragments fragments) {
    /** No models configured: agent steps fail with a message saying what to configure. */
    public static Agents none() {
        return new Agents(AgentKinds.withBuiltins(java.util.List.of()), Models.none(), null, null, null);
    }
}
