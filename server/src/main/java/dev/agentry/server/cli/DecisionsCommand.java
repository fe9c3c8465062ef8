package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "decisions", description = "Decisions runs are waiting on, and their answers.",
        subcommands = {DecisionsCommand.ListDecisions.class, DecisionsCommand.Approve.class, DecisionsCommand.Reject.class,
                DecisionsCommand.Reply.class})
public final class DecisionsCommand {
    @Command(name = "list", description = "List decisions (pending ones by default).")
    static final class ListDecisions extends ClientCommand {
        @Option(names = "--status", paramLabel = "STATUS", defaultValue = "pending",
                description = "pending, approved, rejected, expired, canceled or all.")
        String status;

        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/decisions", Map.of("status", status));
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("items").forEach(d -> rows.add(List.of(d.path("id").asText(), d.path("run").asText(),
                    d.path("pipeline").asText() + "/" + d.path("step").asText(), d.path("status").asText(),
                    Output.time(d, "deadline"), d.path("prompt").asText())));
            Output.table(out(), List.of("DECISION", "RUN", "STEP", "STATUS", "DEADLINE", "PROMPT"), rows);
            return 0;
        }
    }

    abstract static class Answer extends ClientCommand {
        @Parameters(paramLabel = "DECISION") long id;
        @Option(names = {"-m", "--comment"}, paramLabel = "TEXT") String comment;
        @Option(names = "--by", paramLabel = "NAME", description = "Who answers (default: $USER).") String by;

        int answer(ApiClient api, String verb) {
            var body = new LinkedHashMap<String, Object>();
            if (comment != null) {
                body.put("comment", comment);
            }
            String who = by != null ? by : System.getenv("USER");
            if (who != null) {
                body.put("by", who);
            }
            JsonNode d = api.post("/decisions/" + id + "/" + verb, body);
            if (options.json) {
                Output.json(out(), d);
            } else {
                out().println("decision " + id + " " + d.path("status").asText() + " (run " + d.path("run").asText() + ")");
            }
            return 0;
        }
    }

    @Command(name = "answer", description = "Answer an agent's question in words; the agent goes on with the answer.")
    static final class Reply extends ClientCommand {
        @Parameters(index = "0", paramLabel = "DECISION") long id;
        @Parameters(index = "1", paramLabel = "ANSWER") String answer;
        @Option(names = "--by", paramLabel = "NAME", description = "Who answers (default: $USER).") String by;

        @Override
        int execute(ApiClient api) {
            var body = new LinkedHashMap<String, Object>();
            body.put("answer", answer);
            String who = by != null ? by : System.getenv("USER");
            if (who != null) {
                body.put("by", who);
            }
            JsonNode d = api.post("/decisions/" + id + "/answer", body);
            if (options.json) {
                Output.json(out(), d);
            } else {
                out().println("decision " + id + " answered (run " + d.path("run").asText() + ")");
            }
            return 0;
        }
    }

    @Command(name = "approve", description = "Approve a pending decision; its run continues.")
    static final class Approve extends Answer {
        @Override
        int execute(ApiClient api) {
            return answer(api, "approve");
        }
    }

    @Command(name = "reject", description = "Reject a pending decision; its step fails.")
    static final class Reject extends Answer {
        @Override
        int execute(ApiClient api) {
            return answer(api, "reject");
        }
    }
}
