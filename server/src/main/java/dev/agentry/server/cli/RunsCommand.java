package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.pipeline.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "runs", description = "List, inspect and steer runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Cancel.class, RunsCommand.Retry.class,
                RunsCommand.Rerun.class})
public final class RunsCommand {
    private static final Set<String> FINISHED = Set.of("succeeded", "failed", "canceled");

    @Command(name = "list", description = "List runs, newest first.")
    static final class ListRuns extends ClientCommand {
        @Option(names = "--pipeline", paramLabel = "NAME") String pipeline;
        @Option(names = "--status", paramLabel = "STATUS", description = "queued, running, needs-you, paused, succeeded, failed or canceled.")
        String status;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "20") int limit;
        @Option(names = "--cursor", paramLabel = "CURSOR", description = "Continue after a previous page (its 'next').") String cursor;

        @Override
        int execute(ApiClient api) {
            var query = new LinkedHashMap<String, String>();
            query.put("pipeline", pipeline);
            query.put("status", status);
            query.put("limit", Integer.toString(limit));
            query.put("cursor", cursor);
            JsonNode page = api.get("/runs", query);
            if (options.json) {
                Output.json(out(), page);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            page.path("items").forEach(r -> rows.add(List.of(r.path("id").asText(), r.path("pipeline").asText() + "@" + r.path("version").asText(),
                    r.path("status").asText(), Output.time(r, "createdAt"), Output.time(r, "finishedAt"))));
            Output.table(out(), List.of("RUN", "PIPELINE", "STATUS", "CREATED", "FINISHED"), rows);
            if (!page.path("next").isMissingNode() && !page.path("next").isNull()) {
                out().println("more: --cursor " + page.path("next").asText());
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show a run and its steps.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "RUN") long id;

        @Override
        int execute(ApiClient api) {
            JsonNode run = api.get("/runs/" + id, Map.of());
            if (options.json) {
                Output.json(out(), run);
            } else {
                printRun(out(), run);
            }
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a run; its running steps are stopped.")
    static final class Cancel extends ClientCommand {
        @Parameters(paramLabel = "RUN") long id;

        @Override
        int execute(ApiClient api) {
            return printed(this, api.post("/runs/" + id + "/cancel", null), "canceled run " + id);
        }
    }

    @Command(name = "retry", description = "Retry a failed or canceled run from its failed steps (succeeded steps are kept).")
    static final class Retry extends ClientCommand {
        @Parameters(paramLabel = "RUN") long id;

        @Override
        int execute(ApiClient api) {
            return printed(this, api.post("/runs/" + id + "/retry", null), "retrying run " + id);
        }
    }

    @Command(name = "rerun", description = "Start a new run that re-runs RUN from a step, reusing the outputs of the steps before it.")
    static final class Rerun extends ClientCommand {
        @Parameters(paramLabel = "RUN") long id;
        @Option(names = "--from", required = true, paramLabel = "STEP") String from;

        @Override
        int execute(ApiClient api) {
            JsonNode run = api.post("/runs/" + id + "/rerun", Map.of("from", from));
            if (options.json) {
                Output.json(out(), run);
            } else {
                out().println(run.path("id").asLong());
            }
            return 0;
        }
    }

    private static int printed(ClientCommand command, JsonNode run, String message) {
        if (command.options.json) {
            Output.json(command.out(), run);
        } else {
            command.out().println(message + " (" + run.path("status").asText() + ")");
        }
        return 0;
    }

    static void printRun(PrintWriter out, JsonNode run) {
        out.println("run " + run.path("id").asText() + "  " + run.path("pipeline").asText() + "@" + run.path("version").asText()
                + "  " + run.path("status").asText());
        if (run.hasNonNull("error")) {
            out.println("error: " + run.path("error").asText());
        }
        var rows = new ArrayList<List<String>>();
        run.path("steps").forEach(s -> rows.add(List.of(s.path("id").asText(), s.path("kind").asText(), s.path("status").asText(),
                s.path("attempts").asText(), Output.time(s, "startedAt"), Output.time(s, "finishedAt"),
                s.hasNonNull("decision") ? "decision " + s.path("decision").asText() : Output.text(s, "error"))));
        Output.table(out, List.of("STEP", "KIND", "STATUS", "ATTEMPTS", "STARTED", "FINISHED", "NOTE"), rows);
    }

    /** Polls a run until it finishes: exit 0 if it succeeded, 1 if not, 4 on timeout. */
    static int follow(ApiClient api, long id, Duration limit, boolean json, PrintWriter out, PrintWriter err) throws InterruptedException {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        var told = new HashSet<String>();
        String lastStatus = "";
        long sleep = 100;
        while (true) {
            JsonNode run = api.get("/runs/" + id, Map.of());
            String status = run.path("status").asText();
            if (!json && !status.equals(lastStatus)) {
                err.println("run " + id + " " + status);
                err.flush();
                lastStatus = status;
            }
            if (!json && status.equals("needs-you")) {
                run.path("steps").forEach(s -> {
                    if (s.hasNonNull("decision") && s.path("status").asText().equals("waiting") && told.add(s.path("decision").asText())) {
                        err.println("  step " + s.path("id").asText() + " waits on decision " + s.path("decision").asText()
                                + ": agentry decisions approve " + s.path("decision").asText());
                        err.flush();
                    }
                });
            }
            if (FINISHED.contains(status)) {
                if (json) {
                    Output.json(out, run);
                } else {
                    printRun(out, run);
                }
                return status.equals("succeeded") ? 0 : 1;
            }
            if (System.nanoTime() > deadline) {
                err.println("agentry: run " + id + " is still " + status + " after " + Durations.format(limit));
                return 4;
            }
            Thread.sleep(sleep);
            sleep = Math.min(sleep * 2, 1000);
        }
    }
}
