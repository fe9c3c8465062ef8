package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "triggers", description = "Webhooks that start runs: a signed delivery's payload mapped onto a pipeline's inputs.",
        subcommands = {TriggersCommand.Add.class, TriggersCommand.ListTriggers.class, TriggersCommand.Show.class,
                TriggersCommand.Remove.class})
public final class TriggersCommand {
    @Command(name = "add", description = "Create a trigger, or replace the one of that name.",
            footer = {"", "Example:", "  agentry triggers add issues --pipeline fix-issue --format github --secret hook-secret \\",
                    "      --input task='$.issue.title' --input number='{{ $.issue.number }}' --event issues.opened"})
    static final class Add extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--pipeline", required = true, paramLabel = "PIPELINE", description = "The pipeline runs start (its latest version).") String pipeline;
        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "github (X-Hub-Signature-256) or generic (X-Agentry-Signature).") String format;
        @Option(names = "--secret", required = true, paramLabel = "SECRET", description = "The name of the secret that signs deliveries (AGENTRY_SECRET_<NAME> on the server), not the secret.") String secret;
        @Option(names = "--input", paramLabel = "INPUT=EXPRESSION", description = "Map an input: a JSONPath ($.issue.title), text with {{ $.path }}, {{ hook.event }} or {{ hook.delivery }}, or a constant. Repeatable.") Map<String, String> inputs = new LinkedHashMap<>();
        @Option(names = "--event", paramLabel = "EVENT", description = "Only this event starts runs (issues, or issues.opened for one action). Repeatable; none: every event.") List<String> events = new ArrayList<>();
        @Option(names = "--repository", paramLabel = "REPO", description = "The registered repository runs work on (default: the pipeline's).") String repository;
        @Option(names = "--disabled", description = "Save it switched off: deliveries are refused until it is added again without this.") boolean disabled;

        @Override
        int execute(ApiClient api) {
            var body = new LinkedHashMap<String, Object>();
            body.put("name", name);
            body.put("pipeline", pipeline);
            body.put("format", format);
            body.put("secret", secret);
            body.put("inputs", inputs);
            body.put("events", events);
            if (repository != null) {
                body.put("repository", repository);
            }
            body.put("enabled", !disabled);
            JsonNode trigger = api.post("/triggers", body);
            if (options.json) {
                Output.json(out(), trigger);
                return 0;
            }
            out().println("trigger " + trigger.path("name").asText() + " saved" + (trigger.path("enabled").asBoolean() ? "" : " (disabled)")
                    + ": " + trigger.path("format").asText() + " deliveries start pipeline " + trigger.path("pipeline").asText()
                    + " (" + events(trigger) + ")");
            out().println("deliver to: " + api.serverUrl() + trigger.path("hook").asText());
            return 0;
        }
    }

    @Command(name = "list", description = "List the workspace's triggers.")
    static final class ListTriggers extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/triggers", Map.of());
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            if (list.path("triggers").isEmpty()) {
                out().println("no triggers yet; add one with: agentry triggers add NAME --pipeline P --format github --secret S --input task='$.issue.title'");
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("triggers").forEach(t -> rows.add(List.of(t.path("name").asText(), t.path("pipeline").asText(),
                    t.path("format").asText(), events(t), t.path("enabled").asBoolean() ? "yes" : "no", t.path("hook").asText())));
            Output.table(out(), List.of("NAME", "PIPELINE", "FORMAT", "EVENTS", "ENABLED", "HOOK"), rows);
            return 0;
        }
    }

    @Command(name = "show", description = "Show a trigger and how it maps a payload onto inputs.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int execute(ApiClient api) {
            JsonNode t = api.get("/triggers/" + ApiClient.segment(name), Map.of());
            if (options.json) {
                Output.json(out(), t);
                return 0;
            }
            out().println("trigger " + t.path("name").asText() + (t.path("enabled").asBoolean() ? "" : " (disabled)"));
            out().println("  pipeline:   " + t.path("pipeline").asText());
            out().println("  format:     " + t.path("format").asText());
            out().println("  secret:     " + t.path("secret").asText());
            out().println("  events:     " + events(t));
            out().println("  repository: " + Output.text(t, "repository"));
            out().println("  deliver to: " + api.serverUrl() + t.path("hook").asText());
            out().println("  inputs:");
            t.path("inputs").properties().forEach(e -> out().println("    " + e.getKey() + " = " + e.getValue().asText()));
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove a trigger (and the record of its deliveries; the runs stay).")
    static final class Remove extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int execute(ApiClient api) {
            api.delete("/triggers/" + ApiClient.segment(name));
            out().println("trigger " + name + " removed");
            return 0;
        }
    }

    private static String events(JsonNode trigger) {
        var events = new ArrayList<String>();
        trigger.path("events").forEach(e -> events.add(e.asText()));
        return events.isEmpty() ? "every event" : String.join(", ", events);
    }
}
