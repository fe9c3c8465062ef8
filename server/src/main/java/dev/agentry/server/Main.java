package dev.agentry.server;

import dev.agentry.server.cli.AccessCommands;
import dev.agentry.server.cli.AgentCommand;
import dev.agentry.server.cli.LoginCommand;
import dev.agentry.server.cli.AgentsCommand;
import dev.agentry.server.cli.SpendCommand;
import dev.agentry.server.cli.AttentionCommand;
import dev.agentry.server.cli.DecisionsCommand;
import dev.agentry.server.cli.EventsCommand;
import dev.agentry.server.cli.LogsCommand;
import dev.agentry.server.cli.PipelinesCommand;
import dev.agentry.server.cli.RunCommand;
import dev.agentry.server.cli.RunsCommand;
import dev.agentry.server.cli.ServeCommand;
import dev.agentry.server.cli.PoolsCommand;
import dev.agentry.server.cli.ReposCommand;
import dev.agentry.server.cli.RunnerCommand;
import dev.agentry.server.cli.WatchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code agentry} executable. Exit codes: 0 success; 1 the request failed or a waited-on run did not
 * succeed; 2 bad usage or configuration; 3 the server could not be reached; 4 a wait timed out.
 */
@Command(name = "agentry", version = "agentry 0.1.0", modelTransformer = Main.HelpEverywhere.class,
        description = "Runs pipelines of steps durably on PostgreSQL: commands, approvals, timers.",
        subcommands = {ServeCommand.class, PipelinesCommand.class, RunCommand.class, RunsCommand.class,
                DecisionsCommand.class, LogsCommand.class, EventsCommand.class, AttentionCommand.class, WatchCommand.class, RunnerCommand.class, AgentCommand.class, AgentsCommand.class, SpendCommand.class, SpendCommand.BudgetCommand.class, LoginCommand.class, AccessCommands.WhoAmI.class, AccessCommands.Tokens.class,
                AccessCommands.Workspaces.class, AccessCommands.Members.class, AccessCommands.Users.class, dev.agentry.server.cli.AuditCommand.class, dev.agentry.server.cli.TriggersCommand.class, dev.agentry.server.cli.SecretsCommand.class, dev.agentry.server.cli.PolicyCommand.class, ReposCommand.class, PoolsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    /**
     * Gives {@code agentry} and every command under it {@code -h}/{@code --help}. Neither of picocli's own ways
     * fits: an inherited {@code mixinStandardHelpOptions} would also give every command {@code -V}/{@code --version},
     * which {@code run} and {@code pipelines show} use for a pipeline version, and an inherited help option
     * clashes with the one {@code help} already has.
     */
    public static final class HelpEverywhere implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            addHelp(command);
            return command;
        }

        private static void addHelp(CommandSpec command) {
            if (command.options().stream().noneMatch(OptionSpec::usageHelp)) {
                command.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
            }
            command.subcommands().values().forEach(sub -> addHelp(sub.getCommandSpec()));
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args); // picocli answers bad usage with 2
    }
}
