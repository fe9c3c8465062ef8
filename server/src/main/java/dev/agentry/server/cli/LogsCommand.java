package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", description = {"Print the output of a run's step attempts (all steps, or one).",
        "With --follow, prints one step's output as it runs (retries too) until the step ends; exits 0 if it succeeded, 1 if not."})
public final class LogsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN") long run;
    @Parameters(index = "1", paramLabel = "STEP", arity = "0..1") String step;

    @Option(names = {"-f", "--follow"}, description = "Follow STEP's output live until the step ends.")
    boolean follow;

    @Override
    int execute(ApiClient api) {
        if (follow) {
            if (step == null) {
                throw new ApiClient.Failure("--follow needs a STEP: agentry logs RUN STEP --follow", 2);
            }
            if (options.json) {
                throw new ApiClient.Failure("--follow prints the output as text; for events as JSON use agentry events --follow --run "
                        + run + " --type step.log", 2);
            }
            try {
                return new StepTail(api, run, step, out(), spec.commandLine().getErr()).follow();
            } catch (InterruptedException e) {
                throw new ApiClient.Failure("interrupted", 130);
            }
        }
        var query = new LinkedHashMap<String, String>();
        query.put("step", step);
        JsonNode logs = api.get("/runs/" + run + "/logs", query);
        if (options.json) {
            Output.json(out(), logs);
        } else {
            print(out(), logs, step != null);
        }
        return 0;
    }

    /** Each attempt's log, under a header unless it is the one attempt of the one step asked for. */
    static void print(PrintWriter out, JsonNode logs, boolean oneStep) {
        for (JsonNode entry : logs.path("items")) {
            if (!oneStep || logs.path("items").size() > 1) {
                out.println("==> " + entry.path("step").asText() + " (attempt " + entry.path("attempt").asText() + ", "
                        + entry.path("status").asText() + ") <==");
            }
            String text = entry.path("log").asText();
            out.print(text);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                out.println();
            }
        }
    }
}
