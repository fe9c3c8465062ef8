package dev.agentry.server.cli;

import dev.agentry.server.AgentryServer;
import dev.agentry.server.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = {"Start the server: the HTTP API and this node's share of executing runs.",
        "Settings come from flags, then AGENTRY_* environment variables, then $AGENTRY_HOME/agentry.yaml (or --config), then defaults.",
        "Without --database-url it runs an embedded PostgreSQL under the home directory."})
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (YAML). Default: $AGENTRY_HOME/agentry.yaml if present.")
    Path config;
    @Option(names = "--home", paramLabel = "DIR", description = "Data directory (AGENTRY_HOME; default ~/.agentry).") String home;
    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Listen address (AGENTRY_BIND; default 127.0.0.1).") String bind;
    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port, 0 = any free port (AGENTRY_PORT; default 7070).") String port;
    @Option(names = "--database-url", paramLabel = "JDBC_URL", description = "External PostgreSQL (AGENTRY_DATABASE_URL).") String databaseUrl;
    @Option(names = "--node-name", paramLabel = "NAME", description = "Name of this node in leases (AGENTRY_NODE_NAME).") String nodeName;
    @Option(names = "--slots", paramLabel = "N", description = "Steps executed at once by this node (AGENTRY_SLOTS; default 16).") String slots;
    @Option(names = "--lease", paramLabel = "DURATION", description = "Step lease (AGENTRY_LEASE; default 30s).") String lease;
    @Option(names = "--poll-interval", paramLabel = "DURATION", description = "Fallback poll (AGENTRY_POLL_INTERVAL; default 5s).") String pollInterval;

    @Override
    public Integer call() throws InterruptedException {
        var flags = new LinkedHashMap<String, String>();
        put(flags, "home", home);
        put(flags, "bind", bind);
        put(flags, "port", port);
        put(flags, "database_url", databaseUrl);
        put(flags, "node_name", nodeName);
        put(flags, "slots", slots);
        put(flags, "lease", lease);
        put(flags, "poll_interval", pollInterval);
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        AgentryServer server;
        try {
            server = AgentryServer.start(ConfigLoader.load(flags, System.getenv(), config));
        } catch (ConfigLoader.BadConfig e) {
            err.println("agentry: bad configuration:\n  " + e.getMessage().replace("\n", "\n  "));
            return 2;
        } catch (RuntimeException e) {
            err.println("agentry: could not start: " + ConfigLoader.redact(String.valueOf(e.getMessage())));
            return 1;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "agentry-shutdown"));
        out.println("Agentry is ready at " + server.url() + " (node " + server.nodeName() + ")");
        out.flush();
        stopped.await();
        return 0;
    }

    private static void put(java.util.Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }
}
