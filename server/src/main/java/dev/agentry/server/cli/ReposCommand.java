package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "repos", description = "Repositories registered with the workspace: runs that name one work on a branch of it.",
        subcommands = {ReposCommand.Add.class, ReposCommand.ListRepos.class, ReposCommand.Remove.class, ReposCommand.Pulls.class})
public final class ReposCommand {
    @Command(name = "add", description = "Register a repository (a local path or a git URL); git must be able to reach it.")
    static final class Add extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "URL", description = "An absolute path, or an https/ssh/file git URL without credentials.") String url;
        @Option(names = "--base", paramLabel = "BRANCH", description = "The base branch (default main).") String base;
        @Option(names = "--forge", paramLabel = "FORGE", description = "local or github (default: github for github.com URLs, else local).") String forge;
        @Option(names = "--credential", paramLabel = "SECRET", description = "The secret holding the token for fetch, push and the forge (AGENTRY_SECRET_<NAME> on the server).") String credential;

        @Override
        int execute(ApiClient api) {
            var body = new LinkedHashMap<String, Object>();
            body.put("name", name);
            body.put("url", url.startsWith("/") || url.contains("://") || url.contains("@") ? url
                    : java.nio.file.Path.of(url).toAbsolutePath().normalize().toString());
            if (base != null) {
                body.put("baseBranch", base);
            }
            if (forge != null) {
                body.put("forge", forge);
            }
            if (credential != null) {
                body.put("credential", credential);
            }
            JsonNode repo = api.post("/repositories", body);
            if (options.json) {
                Output.json(out(), repo);
                return 0;
            }
            out().println("repository " + repo.path("name").asText() + " registered: " + repo.path("url").asText()
                    + " (base " + repo.path("baseBranch").asText() + ", " + repo.path("forge").asText() + " forge)");
            return 0;
        }
    }

    @Command(name = "list", description = "List the workspace's repositories.")
    static final class ListRepos extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/repositories", java.util.Map.of());
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            if (list.path("repositories").isEmpty()) {
                out().println("no repositories yet; register one with: agentry repos add NAME PATH_OR_URL");
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("repositories").forEach(r -> rows.add(List.of(r.path("name").asText(), r.path("baseBranch").asText(),
                    r.path("forge").asText(), Output.text(r, "credentialRef"), r.path("url").asText())));
            Output.table(out(), List.of("NAME", "BASE", "FORGE", "CREDENTIAL", "URL"), rows);
            return 0;
        }
    }

    @Command(name = "remove", description = "Forget a repository (its local-forge pull requests go with it).")
    static final class Remove extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int execute(ApiClient api) {
            api.delete("/repositories/" + ApiClient.segment(name));
            out().println("repository " + name + " removed");
            return 0;
        }
    }

    @Command(name = "pulls", description = "List a repository's pull requests on the local forge, or show one with its diff.")
    static final class Pulls extends ClientCommand {
        @Parameters(index = "0", paramLabel = "REPO") String repo;
        @Parameters(index = "1", paramLabel = "NUMBER", arity = "0..1") Integer number;

        @Override
        int execute(ApiClient api) {
            String base = "/repositories/" + ApiClient.segment(repo) + "/pulls";
            JsonNode answer = api.get(number == null ? base : base + "/" + number, java.util.Map.of());
            if (options.json) {
                Output.json(out(), answer);
                return 0;
            }
            if (number != null) {
                out().println("#" + answer.path("number").asText() + " " + answer.path("title").asText() + " ["
                        + answer.path("state").asText() + "] " + answer.path("head").asText() + " -> " + answer.path("base").asText());
                answer.path("checks").forEach(c -> out().println("  check " + c.path("name").asText() + ": "
                        + c.path("state").asText().toLowerCase()));
                out().println();
                out().print(answer.path("diff").asText());
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            answer.path("pullRequests").forEach(p -> rows.add(List.of("#" + p.path("number").asText(), p.path("state").asText(),
                    p.path("head").asText(), p.path("title").asText())));
            if (rows.isEmpty()) {
                out().println("no pull requests on " + repo + " yet");
                return 0;
            }
            Output.table(out(), List.of("PR", "STATE", "BRANCH", "TITLE"), rows);
            return 0;
        }
    }
}
