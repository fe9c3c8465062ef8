package dev.agentry.server.cli;

import dev.agentry.runners.local.LocalPool;
import dev.agentry.server.runner.RunnerDaemon;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentry runner}: a runner daemon that executes jobs for Agentry servers (register it as a pool). */
@Command(name = "runner", description = {"Run jobs for Agentry servers on this machine, over the job protocol.",
        "Register it with a server as a pool (examples/pools/agentry-runner.yaml); steps placed on that pool run here."})
public final class RunnerCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7171",
            description = "Address to listen on (default ${DEFAULT-VALUE}; use 0.0.0.0:PORT for other machines, behind TLS).")
    String listen;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "4", description = "Jobs run at once; more wait in order (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token servers must present (at least 16 characters). Prefer AGENTRY_RUNNER_TOKEN: a flag shows in ps.")
    String token;

    @Option(names = "--work", paramLabel = "DIR", description = "Where mirrors and working trees live (default ~/.agentry-runner).")
    Path work;

    @Option(names = "--log-bytes", paramLabel = "BYTES", defaultValue = "262144", description = "Bytes of each job's output kept (default ${DEFAULT-VALUE}).")
    int logBytes;

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        String secret = token != null ? token : System.getenv("AGENTRY_RUNNER_TOKEN");
        if (secret == null || secret.length() < 16) {
            err.println("agentry runner: a token of at least 16 characters is required (AGENTRY_RUNNER_TOKEN or --token)");
            return 2;
        }
        int colon = listen.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            err.println("agentry runner: --listen: expected HOST:PORT, got '" + listen + "'");
            return 2;
        }
        if (colon <= 0 || port < 0 || port > 65535 || slots < 1 || slots > 10_000) {
            err.println("agentry runner: expected --listen HOST:PORT and --slots from 1 to 10000");
            return 2;
        }
        String host = listen.substring(0, colon).replaceAll("^\\[|\\]$", "");
        Path root = work != null ? work : Path.of(System.getProperty("user.home"), ".agentry-runner");
        var pool = new LocalPool(new LocalPool.Settings(root.toAbsolutePath(), slots, logBytes, Clock.systemUTC(), null, null,
                dev.agentry.server.work.AgentryLauncher.write(root.toAbsolutePath())));
        int orphans = pool.stopOrphans();
        if (orphans > 0) {
            err.println("agentry runner: stopped " + orphans + " jobs left running by an earlier runner that was killed");
        }
        RunnerDaemon daemon;
        try {
            daemon = new RunnerDaemon(pool, slots, secret).start(host, port);
        } catch (RuntimeException e) {
            pool.close();
            err.println("agentry runner: could not start: " + e.getMessage());
            return 1;
        }
        var stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
        }
        out.println("Agentry runner is ready at http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + daemon.port()
                + " with " + slots + " slots");
        out.flush();
        stop.await();
        daemon.close();
        return 0;
    }
}
