package dev.agentry.server.cli;

import dev.agentry.agents.builtin.AgentProcess;
import dev.agentry.agents.provider.ProviderSettings;
import dev.agentry.agents.provider.Providers;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code agentry agent}: the built-in coding agent, as the harness starts it in a job's working tree. Everything
 * it needs comes from the job's environment (docs/agents.md): the task, its settings, and the gateway with a
 * run-scoped token.
 */
@Command(name = "agent", description = {"Run Agentry's built-in coding agent in the current working tree.",
        "Started by the harness for agent steps; it reads AGENTRY_PROMPT, AGENTRY_AGENT, AGENTRY_MODEL_API and the",
        "gateway's ANTHROPIC_*/OPENAI_* variables, and writes its answer to AGENTRY_OUTPUTS.",
        "Exit codes: 0 finished or asked a human, 75 paused by a budget, 1 stopped or failed."})
public final class AgentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        var out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        var err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        // streaming keeps a long reply from tripping a timeout meant for a silent connection
        var settings = ProviderSettings.defaults().withStreaming(true);
        return AgentProcess.run(System.getenv(), Path.of("").toAbsolutePath(),
                choice -> Providers.create(choice.api(), choice.baseUrl().toString(), choice.token(), settings), out, err);
    }
}
