package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code agentry agents}: the agent kinds the server knows, and its models. */
@Command(name = "agents", description = "List the agent kinds the server knows, with their models.")
public final class AgentsCommand extends ClientCommand {
    @Override
    int execute(ApiClient api) {
        JsonNode list = api.getGlobal("/agents");
        if (options.json) {
            Output.json(out(), list);
            return 0;
        }
        var rows = new ArrayList<List<String>>();
        list.path("agents").forEach(a -> rows.add(List.of(a.path("name").asText(), a.path("inline").asBoolean() ? "inline" : "harness",
                a.path("agent").asText(), a.path("model").isNull() ? "-" : a.path("model").asText(), a.path("description").asText(""))));
        Output.table(out(), List.of("KIND", "RUNS", "AGENT", "MODEL", "DESCRIPTION"), rows);
        if (list.path("providers").isEmpty()) {
            out().println("no model provider is configured: set ANTHROPIC_API_KEY or OPENAI_API_KEY and restart the server");
        }
        return 0;
    }
}
