package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "logs", description = "Print the output of a run's step attempts (all steps, or one).")
public final class LogsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN") long run;
    @Parameters(index = "1", paramLabel = "STEP", arity = "0..1") String step;

    @Override
    int execute(ApiClient api) {
        var query = new LinkedHashMap<String, String>();
        query.put("step", step);
        JsonNode logs = api.get("/runs/" + run + "/logs", query);
        if (options.json) {
            Output.json(out(), logs);
            return 0;
        }
        for (JsonNode entry : logs.path("items")) {
            if (step == null || logs.path("items").size() > 1) {
                out().println("==> " + entry.path("step").asText() + " (attempt " + entry.path("attempt").asText() + ", "
                        + entry.path("status").asText() + ") <==");
            }
            String text = entry.path("log").asText();
            out().print(text);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                out().println();
            }
        }
        return 0;
    }
}
