package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pools", description = "Runner pools: where steps' jobs run (the built-in local pool, runners, any scheduler by manifest).",
        subcommands = {PoolsCommand.Add.class, PoolsCommand.ListPools.class, PoolsCommand.Remove.class})
public final class PoolsCommand {
    @Command(name = "add", description = "Register a pool described by a manifest (see examples/pools/).")
    static final class Add extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "The manifest (YAML or JSON).") Path manifest;
        @Option(names = "--slots", paramLabel = "N", description = "Jobs each node runs on the pool at once (default 4).") Integer slots;
        @Option(names = "--label", paramLabel = "LABEL", description = "A label steps can choose the pool by (repeatable).") List<String> labels;

        @Override
        int execute(ApiClient api) {
            String text;
            try {
                text = Files.readString(manifest);
            } catch (java.io.IOException e) {
                throw new ApiClient.Failure("cannot read " + manifest + ": " + e.getMessage(), 2);
            }
            var body = new LinkedHashMap<String, Object>();
            body.put("name", name);
            body.put("manifest", text);
            if (slots != null) {
                body.put("slots", slots);
            }
            if (labels != null) {
                body.put("labels", labels);
            }
            JsonNode pool = api.postGlobal("/pools", body);
            if (options.json) {
                Output.json(out(), pool);
                return 0;
            }
            out().println("pool " + pool.path("name").asText() + " registered with " + pool.path("slots").asText() + " slots");
            return 0;
        }
    }

    @Command(name = "list", description = "List the pools.")
    static final class ListPools extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.getGlobal("/pools");
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("pools").forEach(p -> {
                var labels = new ArrayList<String>();
                p.path("labels").forEach(l -> labels.add(l.asText()));
                rows.add(List.of(p.path("name").asText() + (p.path("default").asBoolean() ? " (default)" : ""),
                        p.path("kind").asText(), p.path("slots").asText(), String.join(",", labels)));
            });
            Output.table(out(), List.of("NAME", "KIND", "SLOTS", "LABELS"), rows);
            return 0;
        }
    }

    @Command(name = "remove", description = "Unregister a pool; steps placed on it wait until a pool of that name exists again.")
    static final class Remove extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int execute(ApiClient api) {
            api.deleteGlobal("/pools/" + ApiClient.segment(name));
            out().println("pool " + name + " removed");
            return 0;
        }
    }
}
