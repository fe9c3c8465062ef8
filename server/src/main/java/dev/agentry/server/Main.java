package dev.agentry.server;

import dev.agentry.server.cli.DecisionsCommand;
import dev.agentry.server.cli.LogsCommand;
import dev.agentry.server.cli.PipelinesCommand;
import dev.agentry.server.cli.RunCommand;
import dev.agentry.server.cli.RunsCommand;
import dev.agentry.server.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code agentry} executable. Exit codes: 0 success; 1 the request failed or a waited-on run did not
 * succeed; 2 bad usage or configuration; 3 the server could not be reached; 4 a wait timed out.
 */
@Command(name = "agentry", mixinStandardHelpOptions = true, version = "agentry 0.1.0",
        description = "Runs pipelines of agent and command steps durably on PostgreSQL.",
        subcommands = {ServeCommand.class, PipelinesCommand.class, RunCommand.class, RunsCommand.class,
                DecisionsCommand.class, LogsCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args); // picocli answers bad usage with 2
    }
}
