package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "policy", description = "Apply, read and try out the workspace's policy: what actions are allowed, denied or need approval.",
        subcommands = {PolicyCommand.Apply.class, PolicyCommand.Show.class, PolicyCommand.Versions.class, PolicyCommand.Check.class})
public final class PolicyCommand {
    @Command(name = "apply", description = "Validate a policy (YAML or JSON) and store it as the workspace's next version.")
    static final class Apply extends ClientCommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "Policy file, or - for standard input.")
        String file;

        @Override
        int execute(ApiClient api) {
            var source = SourceFile.read(file);
            JsonNode applied = api.postText("/policy", source.text(), source.contentType());
            if (options.json) {
                Output.json(out(), applied);
            } else {
                out().println((applied.path("created").asBoolean() ? "applied " : "unchanged ") + "policy "
                        + applied.path("name").asText() + " version " + applied.path("version").asInt());
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show the policy's rules in the order they are tried, and its source.")
    static final class Show extends ClientCommand {
        @Option(names = "--version", paramLabel = "N", description = "A specific version (default: latest).")
        Integer version;

        @Override
        int execute(ApiClient api) {
            JsonNode p = api.get(version == null ? "/policy" : "/policy/versions/" + version, Map.of());
            if (options.json) {
                Output.json(out(), p);
                return 0;
            }
            out().println("policy " + p.path("name").asText() + " version " + p.path("version").asInt()
                    + "  (applied " + Output.time(p, "createdAt") + ")");
            var rows = new ArrayList<List<String>>();
            p.path("rules").forEach(r -> rows.add(List.of(r.path("name").asText(), r.path("decision").asText(),
                    r.path("when").asText().strip().replaceAll("\\s*\\n\\s*", " "))));
            rows.add(List.of("(default)", p.path("default").asText(), "no rule matched"));
            Output.table(out(), List.of("RULE", "DECISION", "WHEN"), rows);
            out().println();
            out().print(p.path("source").asText());
            return 0;
        }
    }

    @Command(name = "versions", description = "List the policy's versions, newest first.")
    static final class Versions extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/policy/versions", Map.of());
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("items").forEach(v -> rows.add(List.of(v.path("version").asText(), v.path("name").asText(),
                    Integer.toString(v.path("rules").size()), v.path("default").asText(), Output.time(v, "createdAt"))));
            Output.table(out(), List.of("VERSION", "NAME", "RULES", "DEFAULT", "APPLIED"), rows);
            return 0;
        }
    }

    @Command(name = "check", description = "Ask what the policy decides about an action, without doing it.")
    static final class Check extends ClientCommand {
        @Option(names = "--action", required = true, paramLabel = "JSON",
                description = "The action: {\"kind\": \"git-push\", \"repository\": ..., \"branch\": ...}, optionally with "
                        + "\"run\": {\"id\", \"step\", \"agent\", \"pipeline\"}.")
        String action;

        @Option(names = "--version", paramLabel = "N", description = "Try a specific version (default: latest, as runs are decided).")
        Integer version;

        @Override
        int execute(ApiClient api) {
            String path = "/policy/evaluate" + (version == null ? "" : "?version=" + version);
            JsonNode d = api.postText(path, action, "application/json");
            if (options.json) {
                Output.json(out(), d);
                return 0;
            }
            out().println(d.path("verdict").asText() + "  (rule " + d.path("rule").asText() + ", policy version "
                    + d.path("policyVersion").asInt() + ")");
            out().println("  " + d.path("reason").asText());
            return 0;
        }
    }
}
