package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.http.ApiJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code agentry logs RUN STEP --follow}: a step's output as it is printed, through retries, until the step ends.
 *
 * <p>A running attempt's output exists only as {@code step.log} events. So the run's step and run events
 * are first read from the log up to now (the export), which gives what the current attempt has printed
 * so far and whether the step has ended meanwhile; then the event stream is followed from the last event
 * read. The stream replays everything after that id, so nothing is printed twice or missed at the switch.
 */
final class StepTail {
    static final Set<String> FINISHED = Set.of("succeeded", "failed", "canceled", "skipped");
    private static final Set<String> STEP_ENDS = Set.of("step.succeeded", "step.failed", "step.canceled", "step.skipped");
    private static final Set<String> RUN_ENDS = Set.of("run.succeeded", "run.failed", "run.canceled");

    private final ApiClient api;
    private final long run;
    private final String step;
    private final PrintWriter out;
    private final PrintWriter err;

    // What the events read so far say.
    /** The last event applied; events at or before it are not applied again. */
    private long lastId;
    /** The step's latest attempt (0: none yet). Only its output is printed. */
    private int attempt;
    /** The event that ended the step, while it stays ended (a retried run starts it again). */
    private JsonNode stepEnd;
    private boolean runEnded;
    /** While replaying, the current attempt's output so far; printed once the replay is done. */
    private StringBuilder replayed = new StringBuilder();
    private boolean midLine;

    StepTail(ApiClient api, long run, String step, PrintWriter out, PrintWriter err) {
        this.api = api;
        this.run = run;
        this.step = step;
        this.out = out;
        this.err = err;
    }

    /** Follows the step: exit 0 if it succeeded, 1 if it failed, was canceled or skipped, or its run ended without it. */
    int follow() throws InterruptedException {
        JsonNode view = api.get("/runs/" + run + "/steps/" + ApiClient.segment(step), Map.of()).path("step");
        if (FINISHED.contains(view.path("status").asText())) {
            return stored(view);
        }
        var query = new LinkedHashMap<String, String>();
        query.put("run", Long.toString(run));
        query.put("type", "step.*,run.*");
        try (var lines = api.lines("/events/export", query, false, null)) {
            var it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.isEmpty()) {
                    apply(parse(line));
                }
            }
        } catch (ApiClient.Failure f) {
            if (f.status != 410) {
                throw f;
            }
            return followFromNow(f.getMessage());
        } catch (UncheckedIOException e) {
            throw new ApiClient.Failure("lost the connection while reading the run's events (" + e.getCause() + ")", 3);
        }
        if (attempt > 1) {
            header();
        }
        write(replayed.toString());
        replayed = null; // from here on, output is printed as it comes
        if (!ended()) {
            new EventStream(api, "/events", query, false, lastId, err).follow(event -> {
                if (event.id() != null) {
                    apply(event.json());
                }
                return !ended();
            });
        }
        return outcome();
    }

    /**
     * Without the log from the run's start (retention removed older events, and the server will not export
     * from before them), follow from now: a snapshot marks where the stream starts, and the step's state
     * read after it says whether there is anything left to follow.
     */
    private int followFromNow(String why) throws InterruptedException {
        err.println("agentry: cannot replay what step " + step + " printed so far (" + why + "); following its output from now on");
        err.flush();
        replayed = null;
        var query = new LinkedHashMap<String, String>();
        query.put("run", Long.toString(run));
        query.put("type", "step.*,run.*,snapshot");
        int[] storedExit = {-1};
        boolean[] positioned = {false};
        new EventStream(api, "/events", query, false, null, err).follow(event -> {
            if (event.id() == null) {
                return true;
            }
            if (event.type().equals("snapshot")) {
                if (!positioned[0]) { // the first one: every event after it comes on this stream
                    positioned[0] = true;
                    lastId = event.id();
                    JsonNode view = api.get("/runs/" + run + "/steps/" + ApiClient.segment(step), Map.of()).path("step");
                    if (FINISHED.contains(view.path("status").asText())) {
                        storedExit[0] = stored(view);
                        return false;
                    }
                    attempt = view.path("attempts").asInt();
                    if (attempt > 1) {
                        header();
                    }
                }
                return true;
            }
            apply(event.json());
            return !ended();
        });
        return storedExit[0] >= 0 ? storedExit[0] : outcome();
    }

    private void apply(JsonNode event) {
        long id = event.path("id").asLong();
        if (id <= lastId) {
            return;
        }
        lastId = id;
        String type = event.path("type").asText();
        if (type.startsWith("run.")) {
            runEnded = RUN_ENDS.contains(type); // any other run event means it goes on (a retried run starts again)
            return;
        }
        if (!step.equals(event.path("step").asText(null))) {
            return;
        }
        int n = event.path("attempt").asInt(0);
        if (n != 0 && n < attempt) {
            return; // an older attempt's, e.g. from a node that lost its lease and has not noticed yet
        }
        if (n > attempt && (type.equals("step.started") || type.equals("step.log"))) {
            attempt = n;
            if (replayed != null) {
                replayed.setLength(0); // only the latest attempt's output is shown
            } else if (attempt > 1) {
                header();
            }
        }
        if (STEP_ENDS.contains(type)) {
            stepEnd = event;
            return;
        }
        stepEnd = null; // ready, started, retrying, output: the step is not over
        if (type.equals("step.log") && n == attempt) {
            String text = event.path("data").path("text").asText();
            if (replayed != null) {
                replayed.append(text);
            } else {
                write(text);
            }
        } else if (type.equals("step.retrying") && replayed == null) {
            JsonNode data = event.path("data");
            err.println("agentry: attempt " + n + " of step " + step + " failed (" + data.path("error").asText()
                    + "); attempt " + data.path("nextAttempt").asText() + " starts in " + data.path("delayMs").asLong() + " ms");
            err.flush();
        }
    }

    private boolean ended() {
        return stepEnd != null || runEnded;
    }

    private int outcome() {
        endLine();
        if (stepEnd != null && stepEnd.path("type").asText().equals("step.succeeded")) {
            return 0;
        }
        String why = stepEnd == null ? "run " + run + " ended before step " + step + " did"
                : "step " + step + " " + stepEnd.path("type").asText().substring("step.".length())
                        + (stepEnd.path("data").hasNonNull("error") ? ": " + stepEnd.path("data").path("error").asText() : "");
        err.println("agentry: " + why);
        err.flush();
        return 1;
    }

    /** A step that has finished: its stored log, as {@code logs RUN STEP} prints it. */
    private int stored(JsonNode view) {
        LogsCommand.print(out, api.get("/runs/" + run + "/logs", Map.of("step", step)), true);
        String status = view.path("status").asText();
        if (status.equals("succeeded")) {
            return 0;
        }
        err.println("agentry: step " + step + " " + status + (view.hasNonNull("error") ? ": " + view.path("error").asText() : ""));
        err.flush();
        return 1;
    }

    private void header() {
        endLine();
        out.println("==> " + step + " (attempt " + attempt + ") <==");
        out.flush();
    }

    private void write(String text) {
        if (!text.isEmpty()) {
            out.print(text);
            out.flush();
            midLine = !text.endsWith("\n");
        }
    }

    private void endLine() {
        if (midLine) {
            out.println();
            out.flush();
            midLine = false;
        }
    }

    private static JsonNode parse(String line) {
        try {
            return ApiJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new ApiClient.Failure("the server exported an event that is not JSON: " + line, 1);
        }
    }
}
