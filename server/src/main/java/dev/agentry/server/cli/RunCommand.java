package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.pipeline.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = {"Start a run of a pipeline.",
        "Prints the run's id (its JSON with --json). With --wait, follows the run and exits 0 if it succeeded, 1 if it failed or was canceled."})
public final class RunCommand extends ClientCommand {
    @Parameters(paramLabel = "PIPELINE") String pipeline;

    @Option(names = {"-i", "--input"}, paramLabel = "NAME=VALUE", description = "An input value; repeatable.")
    List<String> inputs = List.of();

    @Option(names = "--version", paramLabel = "N", description = "Run this version instead of the latest.")
    Integer version;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Starting twice with the same key returns the first run.")
    String key;

    @Option(names = "--repository", paramLabel = "REPO", description = "The registered repository the run works on (default: the pipeline's).")
    String repository;

    @Option(names = "--wait", description = "Wait for the run to finish.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "With --wait, give up after this long (exit 4), e.g. 10m.")
    String timeout;

    @Override
    int execute(ApiClient api) throws InterruptedException {
        var values = new LinkedHashMap<String, String>();
        for (String pair : inputs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ApiClient.Failure("--input expects NAME=VALUE, got '" + pair + "'", 2);
            }
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        Duration limit = null;
        if (timeout != null && !await) {
            throw new ApiClient.Failure("--timeout only applies with --wait", 2);
        }
        if (timeout != null) {
            limit = Durations.parse(timeout).orElseThrow(() -> new ApiClient.Failure("--timeout expects a duration like 30s or 10m", 2));
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("pipeline", pipeline);
        if (version != null) {
            body.put("version", version);
        }
        body.put("inputs", values);
        if (key != null) {
            body.put("idempotencyKey", key);
        }
        if (repository != null) {
            body.put("repository", repository);
        }
        JsonNode run = api.post("/runs", body);
        long id = run.path("id").asLong();
        if (!await) {
            if (options.json) {
                Output.json(out(), run);
            } else {
                out().println(id);
            }
            return 0;
        }
        return RunsCommand.follow(api, id, limit, options.json, out(), spec.commandLine().getErr());
    }
}
