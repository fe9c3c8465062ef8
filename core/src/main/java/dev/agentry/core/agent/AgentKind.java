package dev.agentry.core.agent;

import java.util.List;

/**
 * A named role an agent step takes: its instructions, the tools it may use, its default model, and how it runs.
 *
 * @param prompt   the kind's standing instructions (the system prompt); the step's prompt is the task
 * @param tools    the built-in agent's tools it may use; empty means all of them
 * @param commands commands the built-in agent may run in its working tree (glob patterns); empty means none
 * @param model    the default model ({@code provider/model}, or a model of the default provider); null means the
 *                 deployment's default model
 * @param inline   runs in the node, with no working tree (reviewers, architects); otherwise as a job on a pool
 * @param command  a command-line agent started in the harness instead of the built-in agent; null for the
 *                 built-in one. It reads its task from {@code AGENTRY_PROMPT} and reaches models through the
 *                 gateway, whose URL and run-scoped token it finds in the usual SDK variables.
 */
public record AgentKind(String name, String description, String prompt, List<String> tools, List<String> commands,
                        String model, boolean inline, String command, AgentLimits limits) {
    public AgentKind {
        tools = tools == null ? List.of() : List.copyOf(tools);
        commands = commands == null ? List.of() : List.copyOf(commands);
        limits = limits == null ? AgentLimits.DEFAULT : limits;
    }

    public boolean builtin() {
        return command == null;
    }
}
