package dev.agentry.core.agent;

import dev.agentry.core.spend.CallScope;
import java.net.URI;
import java.util.Map;

/**
 * Runs the built-in agent inside the node for inline kinds. It reaches its model through the gateway like any
 * other agent, with a run-scoped token, so inline calls are metered and budgeted the same way.
 */
public interface InlineAgents {
    /**
     * @param answer a human's answer to the question the previous attempt asked; null when none
     */
    record Task(CallScope scope, AgentKind kind, ProviderEndpoint.Api api, String model, String system, String prompt,
                URI gatewayUrl, String token, String answer) {
        @Override
        public String toString() {
            return "Task[scope=" + scope + ", kind=" + kind.name() + ", model=" + model + ", token=(redacted)]";
        }
    }

    /** How an attempt of an agent ended. */
    sealed interface End {
        /** The agent finished: its answer and the outputs it reported. */
        record Finished(Map<String, String> outputs) implements End {}

        /** The agent asks a human; its conversation is checkpointed, and the answer is given back to it. */
        record Asked(String question) implements End {}

        /** A budget is spent: the attempt stopped before its next model call and resumes from its checkpoint. */
        record Paused(String reason) implements End {}

        record Failed(String error) implements End {}
    }

    End run(Task task);
}
