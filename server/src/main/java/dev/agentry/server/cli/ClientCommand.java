package dev.agentry.server.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a server: API failures become a message on stderr and an exit code. */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Spec CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public final Integer call() throws Exception {
        try {
            return execute(options.client());
        } catch (ApiClient.Failure f) {
            spec.commandLine().getErr().println("agentry: " + f.getMessage());
            return f.exitCode;
        } finally {
            out().flush();
            spec.commandLine().getErr().flush();
        }
    }

    abstract int execute(ApiClient api) throws Exception;
}
