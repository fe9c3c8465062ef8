package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "watch", description = {"The workspace live in the terminal: runs in flight with their steps, decisions waiting "
        + "for you, open attention items. Redraws in place as events arrive, and each second for its clock; Ctrl-C ends it.",
        "Step marks: ✓ succeeded  ✗ failed  ▶ running  ⏸ waiting  … ready or retrying  - skipped or canceled  · pending; ×N is the attempt."})
public final class WatchCommand extends ClientCommand {
    /** Not the step output: a watch shows states, and output would only make it redraw. */
    private static final String TYPES = "snapshot,run.*,step.ready,step.started,step.retrying,step.succeeded,step.failed,"
            + "step.skipped,step.canceled,decision.*,attention.*";
    private static final long REDRAW_MILLIS = 200;

    @Option(names = "--once", description = "Print the view once, from a snapshot, and exit (no redrawing).")
    boolean once;

    @Override
    int execute(ApiClient api) throws InterruptedException {
        var view = new FleetView(options.workspace != null ? options.workspace
                : System.getenv().getOrDefault("AGENTRY_WORKSPACE", "default"));
        var query = new LinkedHashMap<String, String>();
        query.put("type", TYPES);
        var dirty = new AtomicBoolean();
        Consumer<String> notes = message -> { // said in the view, which a message printed under it would scramble
            synchronized (view) {
                view.notice(message);
            }
            dirty.set(true);
        };
        var stream = once ? new EventStream(api, "/events", query, false, null, spec.commandLine().getErr())
                : new EventStream(api, "/events", query, false, null, notes);
        Thread painter = once ? null : Thread.ofVirtual().start(() -> {
            try {
                boolean first = true;
                long shown = 0; // the second the clock showed last
                while (true) {
                    Thread.sleep(REDRAW_MILLIS);
                    long now = System.currentTimeMillis() / 1000;
                    // A change, or the next second: the clock goes on so that the view is seen to be alive.
                    if (dirty.getAndSet(false) || (!first && now != shown)) {
                        synchronized (view) {
                            draw(view, first);
                        }
                        first = false;
                        shown = now;
                    }
                }
            } catch (InterruptedException e) {
                // the watch is over
            }
        });
        var main = Thread.currentThread();
        boolean stopped = false;
        try (var ctrlC = new EventsCommand.CtrlC(main::interrupt)) { // Ctrl-C ends the watch as a success
            stream.follow(frame -> {
                if (frame.id() == null) {
                    return true; // gap or cut-off: the stream goes on with a snapshot or from the last id
                }
                JsonNode event = frame.json();
                synchronized (view) {
                    view.apply(event);
                }
                if (event.path("type").asText().equals("run.queued")) {
                    plan(api, view, event.path("run").asLong());
                }
                if (once) {
                    view.render(Instant.now()).forEach(out()::println);
                    out().flush();
                    return false;
                }
                dirty.set(true);
                return true;
            });
        } catch (InterruptedException e) {
            Thread.interrupted(); // the interrupt was Ctrl-C: it is handled
            stopped = true;
        } finally {
            if (painter != null) {
                painter.interrupt();
                painter.join(); // no view is drawn after this
            }
        }
        if (stopped && !once) {
            out().println(); // the terminal echoed ^C under the view: what comes next starts on a line of its own
        }
        return 0;
    }

    /** Shows a run started while watching with all its steps, as a snapshot would, and not only those it has reached. */
    private static void plan(ApiClient api, FleetView view, long run) {
        JsonNode shown;
        try {
            shown = api.get("/runs/" + run, Map.of());
        } catch (ApiClient.Failure f) {
            return; // gone already, or the server is away: its steps show as they become ready
        }
        var steps = new ArrayList<String>();
        shown.path("steps").forEach(step -> steps.add(step.path("id").asText()));
        synchronized (view) {
            view.plan(run, steps);
        }
    }

    private void draw(FleetView view, boolean first) {
        out().print(FleetView.frame(view.render(Instant.now()), first)); // one write: the terminal never shows half a view
        out().flush();
    }
}
