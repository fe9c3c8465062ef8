package dev.agentry.server.cli;

import com.fasterxml.jackson.core.JsonToken;
import dev.agentry.server.http.ApiJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "events", subcommands = EventsCommand.Export.class,
        description = {"Print the event log: one event per line, as JSON (for jq and the like).",
                "Without --follow, prints the events after --since up to now and exits. With --follow, prints events as they "
                        + "happen until Ctrl-C, reconnecting by itself if the connection drops."})
public final class EventsCommand extends ClientCommand {
    @Mixin Selection selection;

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen, until Ctrl-C.")
    boolean follow;

    @Option(names = "--snapshots", description = "With --follow, also print the snapshots the stream sends (what is in flight, "
            + "on connecting and now and then). Asking for --type snapshot does the same.")
    boolean snapshots;

    /** Which events, from where: the options {@code events} and {@code events export} share. */
    static final class Selection {
        @Option(names = "--since", paramLabel = "ID", description = "Only events after this id (default: all the log still keeps; "
                + "with --follow, from now).")
        Long since;

        @Option(names = "--type", paramLabel = "PATTERN", split = ",",
                description = "Only events of this type (step.log) or type prefix (run.*); repeatable.")
        List<String> types = new ArrayList<>();

        @Option(names = "--run", paramLabel = "RUN", description = "Only the events of this run.")
        Long run;

        @Option(names = "--fleet", description = "Events of every workspace, not just --workspace.")
        boolean fleet;

        Map<String, String> query(List<String> typePatterns) {
            var query = new LinkedHashMap<String, String>();
            query.put("type", typePatterns.isEmpty() ? null : String.join(",", typePatterns));
            query.put("run", run == null ? null : Long.toString(run));
            return query;
        }
    }

    @Override
    int execute(ApiClient api) throws InterruptedException {
        if (!follow) {
            if (snapshots) {
                throw new ApiClient.Failure("--snapshots only applies with --follow (an export holds no snapshots)", 2);
            }
            return export(api, selection, out());
        }
        // The stream sends snapshots to a filter that takes every type. They are big, and a script that reads
        // events would have to skip them, so they are printed only when asked for.
        boolean printSnapshots = snapshots || selection.types.contains("snapshot");
        var types = new ArrayList<>(selection.types);
        if (snapshots && !types.isEmpty() && !types.contains("snapshot")) {
            types.add("snapshot");
        }
        var stream = new EventStream(api, "/events", selection.query(types), selection.fleet, selection.since,
                spec.commandLine().getErr());
        var out = out();
        var main = Thread.currentThread();
        // Ctrl-C is the way to stop following, so it ends the command as a success, with what was printed flushed.
        try (var ctrlC = new CtrlC(main::interrupt)) {
            stream.follow(event -> {
                if (event.id() != null && (printSnapshots || !event.type().equals("snapshot"))) {
                    out.println(event.data());
                    return !readerGone(out);
                }
                return true;
            });
        } catch (InterruptedException e) {
            Thread.interrupted(); // the interrupt was Ctrl-C (or a caller stopping us): it is handled
        }
        return 0;
    }

    /** Routes Ctrl-C (SIGINT) to an action instead of ending the JVM, while open. */
    static final class CtrlC implements AutoCloseable {
        private static final sun.misc.Signal INT = new sun.misc.Signal("INT");
        private final sun.misc.SignalHandler previous;

        CtrlC(Runnable action) {
            sun.misc.SignalHandler before;
            try {
                before = sun.misc.Signal.handle(INT, signal -> action.run());
            } catch (IllegalArgumentException e) {
                before = null; // the JVM keeps SIGINT to itself (-Xrs): Ctrl-C ends it the usual way
            }
            previous = before;
        }

        @Override
        public void close() {
            if (previous != null) {
                sun.misc.Signal.handle(INT, previous);
            }
        }
    }

    @Command(name = "export", description = {"Print the events after --since up to now as NDJSON, one event per line.",
            "For archiving: agentry events export --since 0 > events.jsonl"})
    static final class Export extends ClientCommand {
        @Mixin Selection selection;

        @Override
        int execute(ApiClient api) throws InterruptedException {
            return export(api, selection, out());
        }
    }

    /** Copies the server's export to standard output as it arrives. */
    static int export(ApiClient api, Selection selection, PrintWriter out) throws InterruptedException {
        var query = selection.query(selection.types);
        Long since = selection.since; // none: everything the server still keeps
        if (since != null) {
            query.put("since", Long.toString(since));
        }
        Long last = null;
        try (var lines = api.lines("/events/export", query, selection.fleet, null)) {
            var it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    continue;
                }
                out.println(line);
                Long id = idOf(line);
                last = id == null ? last : id;
                if (readerGone(out)) {
                    return 0; // no need to read the rest
                }
            }
        } catch (ApiClient.Failure f) {
            if (f.status == 410) { // only with --since: without it the export starts at the oldest event kept
                throw new ApiClient.Failure("the events after " + since + " are no longer all kept: " + f.getMessage(), 1, 410);
            }
            throw f;
        } catch (UncheckedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ApiClient.Failure("interrupted", 130);
            }
            out.flush();
            throw new ApiClient.Failure("the export broke off (" + e.getCause() + "); continue it with --since "
                    + (last != null ? last : since != null ? since : 0), 1);
        }
        return 0;
    }

    /**
     * Whether whoever reads the output has gone away ({@code agentry events -f | head}): writing failed.
     * Flushes. The writer picocli makes for standard output wraps {@code System.out}, a stream that
     * notes write errors instead of passing them on, so that is asked too.
     */
    static boolean readerGone(PrintWriter out) {
        return out.checkError() || System.out.checkError();
    }

    /** An exported event's id, read off the start of its line without parsing the rest. */
    private static Long idOf(String line) {
        try (var parser = ApiJson.MAPPER.createParser(line)) {
            if (parser.nextToken() == JsonToken.START_OBJECT && parser.nextToken() == JsonToken.FIELD_NAME
                    && parser.currentName().equals("id") && parser.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                return parser.getLongValue();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
