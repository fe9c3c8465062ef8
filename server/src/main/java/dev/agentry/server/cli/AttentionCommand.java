package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "attention", description = "Things that need a person to look: stalled steps and the like.",
        subcommands = {AttentionCommand.ListAttention.class, AttentionCommand.Resolve.class})
public final class AttentionCommand {
    @Command(name = "list", description = "List attention items (open ones by default), newest first.")
    static final class ListAttention extends ClientCommand {
        @Option(names = "--status", paramLabel = "STATUS", defaultValue = "open", description = "open, resolved or all.")
        String status;

        @Option(names = "--run", paramLabel = "RUN", description = "Only the items of this run.")
        Long run;

        @Option(names = "--limit", paramLabel = "N", description = "At most this many (default 100, at most 500).")
        Integer limit;

        @Override
        int execute(ApiClient api) {
            var query = new LinkedHashMap<String, String>();
            query.put("status", status);
            query.put("run", run == null ? null : run.toString());
            query.put("limit", limit == null ? null : limit.toString());
            JsonNode list = api.get("/attention", query);
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            if (list.path("items").isEmpty()) {
                // An empty table says nothing; say what was looked for, and where else to look.
                out().println("no " + (status.equals("all") ? "" : status + " ") + "attention items"
                        + (run == null ? "" : " for run " + run)
                        + (status.equals("open") ? " (agentry attention list --status all shows resolved ones too)" : ""));
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("items").forEach(a -> rows.add(List.of(a.path("id").asText(), a.path("type").asText(), a.path("status").asText(),
                    Output.text(a, "run"), Output.text(a, "step"), Output.time(a, "raisedAt"), a.path("summary").asText())));
            Output.table(out(), List.of("ID", "KIND", "STATUS", "RUN", "STEP", "RAISED", "SUMMARY"), rows);
            return 0;
        }
    }

    @Command(name = "resolve", description = "Resolve an attention item: it was looked at, and is closed with a note.")
    static final class Resolve extends ClientCommand {
        @Parameters(paramLabel = "ID") long id;
        @Option(names = {"-m", "--note"}, paramLabel = "TEXT", description = "What was done about it.") String note;
        @Option(names = "--by", paramLabel = "NAME", description = "Who resolves it (default: $USER).") String by;

        @Override
        int execute(ApiClient api) {
            var body = new LinkedHashMap<String, Object>();
            if (note != null) {
                body.put("note", note);
            }
            String who = by != null ? by : System.getenv("USER");
            if (who != null) {
                body.put("by", who);
            }
            JsonNode item = api.post("/attention/" + id + "/resolve", body);
            if (options.json) {
                Output.json(out(), item);
                return 0;
            }
            out().println("attention item " + id + " " + item.path("status").asText() + " (" + item.path("type").asText()
                    + (item.hasNonNull("run") ? ", run " + item.path("run").asText() : "")
                    + (item.hasNonNull("step") ? " step " + item.path("step").asText() : "") + ")");
            if (item.hasNonNull("resolution")) {
                out().println("  " + item.path("resolution").asText()
                        + (item.hasNonNull("resolvedBy") ? " (by " + item.path("resolvedBy").asText() + ")" : ""));
            }
            return 0;
        }
    }
}
