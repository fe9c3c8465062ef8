package dev.agentry.server.cli;

import dev.agentry.server.AgentryServer;
import dev.agentry.server.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agentry serve}. Its setting flags are not declared here but derived from
 * {@link ConfigLoader#SETTINGS} ({@link SettingFlags}), so every setting has a flag by construction.
 */
@Command(name = "serve", modelTransformer = ServeCommand.SettingFlags.class,
        description = {"Start the server: the HTTP API and this node's share of executing runs.",
                "Settings come from flags, then AGENTRY_* environment variables, then $AGENTRY_HOME/agentry.yaml (or --config), then defaults.",
                "Without --database-url it runs an embedded PostgreSQL under the home directory."})
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (YAML). Default: $AGENTRY_HOME/agentry.yaml if present.")
    Path config;

    /** Adds one option per setting: {@code poll_interval} becomes {@code --poll-interval DURATION}. */
    public static final class SettingFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            ConfigLoader.SETTINGS.forEach((name, setting) -> command.addOption(OptionSpec.builder(ConfigLoader.flagName(name))
                    .type(String.class)
                    .paramLabel(setting.valueLabel())
                    .description(setting.description() + " (" + ConfigLoader.envName(name)
                            + (setting.defaultValue().isEmpty() ? "" : "; default " + setting.defaultValue()) + ")")
                    .build()));
            return command;
        }
    }

    /** The settings given as flags, by setting name. */
    Map<String, String> flags() {
        var flags = new LinkedHashMap<String, String>();
        ConfigLoader.SETTINGS.keySet().forEach(name -> {
            String value = spec.findOption(ConfigLoader.flagName(name)).getValue();
            if (value != null) {
                flags.put(name, value);
            }
        });
        return flags;
    }

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        AgentryServer server;
        try {
            server = AgentryServer.start(ConfigLoader.load(flags(), System.getenv(), config));
        } catch (ConfigLoader.BadConfig e) {
            err.println("agentry: bad configuration:\n  " + e.getMessage().replace("\n", "\n  "));
            err.flush();
            return 2;
        } catch (RuntimeException e) {
            err.println("agentry: could not start: " + ConfigLoader.redact(String.valueOf(e.getMessage())));
            err.flush();
            return 1;
        }
        // SIGTERM and Ctrl-C stop the server here, before the JVM's shutdown hooks run: the embedded database
        // registers a hook of its own, and in a hook it would be stopped while the node still writes the
        // outcomes of the attempts it is finishing. The hook below only covers other ways the JVM exits.
        var stopRequested = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested.countDown());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agentry-shutdown"));
        if (server.firstAdminToken() != null) {
            out.println("The administrator's API token, shown this once (save it: agentry login reads it from stdin):");
            out.println("  " + server.firstAdminToken());
        }
        out.println("Agentry is ready at " + server.url() + " (node " + server.nodeName() + ")");
        out.flush();
        stopRequested.await();
        err.println("agentry: stopping (finishing the steps in flight for up to 10 s)");
        err.flush();
        server.close();
        return 0;
    }
}
