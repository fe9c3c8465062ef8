package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pipelines", description = "Apply and read pipeline definitions.",
        subcommands = {PipelinesCommand.Apply.class, PipelinesCommand.ListPipelines.class, PipelinesCommand.Show.class})
public final class PipelinesCommand {
    @Command(name = "apply", description = "Validate a definition (YAML or JSON) and store it as the pipeline's next version.")
    static final class Apply extends ClientCommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "Definition file, or - for standard input.")
        String file;

        @Override
        int execute(ApiClient api) throws Exception {
            var source = SourceFile.read(file);
            JsonNode applied = api.postText("/pipelines", source.text(), source.contentType());
            if (options.json) {
                Output.json(out(), applied);
            } else {
                out().println((applied.path("created").asBoolean() ? "applied " : "unchanged ")
                        + applied.path("name").asText() + " version " + applied.path("version").asInt());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List pipelines with their latest version.")
    static final class ListPipelines extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/pipelines", Map.of());
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("items").forEach(p -> rows.add(List.of(p.path("name").asText(), p.path("version").asText(),
                    Integer.toString(p.path("steps").size()), Output.time(p, "createdAt"), Output.text(p, "description"))));
            Output.table(out(), List.of("NAME", "VERSION", "STEPS", "APPLIED", "DESCRIPTION"), rows);
            return 0;
        }
    }

    @Command(name = "show", description = "Show a pipeline version and its source.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Option(names = "--version", paramLabel = "N", description = "A specific version (default: latest).")
        Integer version;

        @Override
        int execute(ApiClient api) {
            JsonNode p = api.get("/pipelines/" + ApiClient.segment(name) + (version == null ? "" : "/versions/" + version), Map.of());
            if (options.json) {
                Output.json(out(), p);
                return 0;
            }
            out().println(p.path("name").asText() + " version " + p.path("version").asInt() + "  (applied " + Output.time(p, "createdAt") + ")");
            var rows = new ArrayList<List<String>>();
            p.path("steps").forEach(s -> {
                var needs = new ArrayList<String>();
                s.path("needs").forEach(n -> needs.add(n.asText()));
                rows.add(List.of(s.path("id").asText(), s.path("kind").asText(), needs.isEmpty() ? "-" : String.join(",", needs),
                        s.path("when").asText()));
            });
            Output.table(out(), List.of("STEP", "KIND", "NEEDS", "WHEN"), rows);
            out().println();
            out().print(p.path("source").asText());
            return 0;
        }
    }
}
