package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code agentry watch} shows: the runs in flight with their steps, the decisions waiting for people
 * and the open attention items, kept up to date from a snapshot and the events after it, and drawn in
 * at most 80 columns.
 */
final class FleetView {
    static final int WIDTH = 80;
    /** Lines: the view fits a terminal of 80×24 with the cursor's line under it, so that it never scrolls. */
    static final int HEIGHT = 23;
    private static final int FINISHED_SHOWN = 5;
    private static final int DECISIONS_SHOWN = 6;
    private static final int ATTENTION_SHOWN = 4;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private static final class Run {
        final long id;
        String pipeline = "";
        String status;
        /** Step id -> status, in the order the steps became known. */
        final Map<String, String> steps = new LinkedHashMap<>();
        final Map<String, Integer> attempts = new LinkedHashMap<>();

        Run(long id, String status) {
            this.id = id;
            this.status = status;
        }
    }

    private record Decision(long id, long run, String step, String prompt) {}

    private record Attention(long id, String kind, Long run, String step, String summary) {}

    private final String workspace;
    private final Map<Long, Run> inFlight = new TreeMap<>();
    private final Deque<Run> finished = new ArrayDeque<>();
    private final Map<Long, Decision> decisions = new TreeMap<>();
    private final Map<Long, Attention> attention = new TreeMap<>();
    private long position;
    /** What the event stream last said about itself (the connection lost, found again), until the next event. */
    private String notice;

    FleetView(String workspace) {
        this.workspace = workspace;
    }

    /** Applies one event of the stream (a snapshot replaces everything). */
    void apply(JsonNode event) {
        String type = event.path("type").asText();
        JsonNode data = event.path("data");
        position = Math.max(position, event.path("id").asLong());
        notice = null;
        if (type.equals("snapshot")) {
            inFlight.clear();
            decisions.clear();
            attention.clear();
            for (JsonNode r : data.path("runs")) {
                var run = new Run(r.path("id").asLong(), r.path("status").asText());
                run.pipeline = r.path("pipeline").asText();
                for (JsonNode s : r.path("steps")) {
                    run.steps.put(s.path("id").asText(), s.path("status").asText());
                    run.attempts.put(s.path("id").asText(), s.path("attempts").asInt());
                }
                inFlight.put(run.id, run);
            }
            for (JsonNode d : data.path("decisions")) {
                decisions.put(d.path("id").asLong(), new Decision(d.path("id").asLong(), d.path("run").asLong(),
                        d.path("step").asText(), d.path("prompt").asText()));
            }
            for (JsonNode a : data.path("attention")) {
                attention.put(a.path("id").asLong(), new Attention(a.path("id").asLong(), a.path("type").asText(),
                        a.hasNonNull("run") ? a.path("run").asLong() : null, a.path("step").asText(null), a.path("summary").asText()));
            }
            return;
        }
        long runId = event.path("run").asLong();
        String step = event.path("step").asText(null);
        if (type.startsWith("run.")) {
            String status = switch (type) {
                case "run.resumed" -> "running";
                case "run.started" -> "running";
                default -> type.substring(4);
            };
            Run run = inFlight.computeIfAbsent(runId, id -> new Run(id, status));
            run.status = status;
            if (type.equals("run.queued")) {
                run.pipeline = data.path("pipeline").asText(run.pipeline);
            }
            if (status.equals("succeeded") || status.equals("failed") || status.equals("canceled")) {
                // A run that ended waits for nobody; canceling one ends its decision without a decision event.
                decisions.values().removeIf(d -> d.run() == runId);
                inFlight.remove(runId);
                finished.addFirst(run);
                while (finished.size() > FINISHED_SHOWN) {
                    finished.removeLast();
                }
            }
        } else if (type.startsWith("step.") && step != null) {
            Run run = inFlight.get(runId);
            String status = switch (type) {
                case "step.started" -> data.has("waitingFor") ? "waiting" : "running";
                case "step.log", "step.progress" -> null;
                default -> type.substring(5);
            };
            if (run != null && status != null) {
                run.steps.put(step, status);
                if (event.hasNonNull("attempt")) {
                    run.attempts.put(step, event.path("attempt").asInt());
                }
            }
        } else if (type.equals("decision.requested")) {
            long id = data.path("decision").asLong();
            decisions.put(id, new Decision(id, runId, step, data.path("prompt").asText()));
        } else if (type.startsWith("decision.")) {
            decisions.remove(data.path("decision").asLong());
        } else if (type.equals("attention.raised")) {
            long id = data.path("id").asLong();
            attention.put(id, new Attention(id, data.path("kind").asText(), runId, step, data.path("summary").asText()));
        } else if (type.equals("attention.resolved")) {
            attention.remove(data.path("id").asLong());
        }
    }

    /** Shows what the event stream says about itself under the header, until the next event arrives. */
    void notice(String message) {
        notice = message;
    }

    /**
     * Tells the view a run's steps in the order its pipeline lists them. The events name a step only once it
     * becomes ready, so without this a run started while watching would show only the steps it has reached, not
     * the ones ahead of it as a snapshot does. Steps the view has not heard of are pending.
     */
    void plan(long runId, List<String> stepIds) {
        Run run = inFlight.get(runId);
        if (run == null) {
            return;
        }
        var heard = new LinkedHashMap<>(run.steps);
        run.steps.clear();
        stepIds.forEach(id -> run.steps.put(id, heard.getOrDefault(id, "pending")));
        heard.forEach(run.steps::putIfAbsent);
    }

    /**
     * The view as at most {@link #HEIGHT} lines of at most {@link #WIDTH} columns. What waits for a person is
     * kept in view first: the decisions and attention items (the first few of each, and how many more), then
     * as many runs in flight as the rest of the lines hold (and how many more), then the runs that finished.
     */
    List<String> render(Instant now) {
        var lines = new ArrayList<String>();
        // The clock and the counts first, the log position last: a long workspace name is what is cut.
        String counts = CLOCK.format(now) + "  " + inFlight.size() + " in flight, " + decisions.size() + " waiting for you, "
                + attention.size() + " attention  [";
        String log = ", log " + position + "]";
        lines.add(fit(counts + fit(workspace, Math.max(1, WIDTH - counts.length() - log.length())) + log));
        lines.add(notice == null ? "" : fit("! " + notice));
        var waiting = section("Waiting for you (agentry decisions approve|reject ID):", decisions.values().stream()
                .map(d -> String.format("  #%-5d run %d %s: %s", d.id(), d.run(), d.step(), d.prompt())).toList(),
                DECISIONS_SHOWN, "agentry decisions list");
        var open = section("Attention (agentry attention resolve ID):", attention.values().stream()
                .map(a -> String.format("  #%-5d %s: %s", a.id(), a.kind(), a.summary())).toList(),
                ATTENTION_SHOWN, "agentry attention list");
        if (inFlight.isEmpty() && finished.isEmpty()) {
            lines.add("Nothing in flight. Start a run: agentry run PIPELINE");
        } else {
            int rows = HEIGHT - lines.size() - waiting.size() - open.size() - 1; // the column titles take one
            lines.add(String.format("%-7s %-16s %-10s %s", "RUN", "PIPELINE", "STATUS", "STEPS"));
            var runs = new ArrayList<>(inFlight.values());
            if (runs.size() > rows) {
                runs.subList(rows - 1, runs.size()).clear();
                runs.forEach(run -> lines.add(row(run)));
                lines.add("… and " + (inFlight.size() - runs.size()) + " more in flight: agentry runs list");
            } else {
                runs.forEach(run -> lines.add(row(run)));
                finished.stream().limit(rows - runs.size()).forEach(run -> lines.add(row(run)));
            }
        }
        lines.addAll(waiting);
        lines.addAll(open);
        return lines;
    }

    /** A blank line, a title and the first {@code shown} items, then how many more and where to see them. */
    private static List<String> section(String title, List<String> items, int shown, String more) {
        if (items.isEmpty()) {
            return List.of();
        }
        var lines = new ArrayList<>(List.of("", title));
        items.stream().limit(items.size() > shown ? shown - 1 : shown).forEach(item -> lines.add(fit(item)));
        if (items.size() > shown) {
            lines.add("  … and " + (items.size() - shown + 1) + " more: " + more);
        }
        return lines;
    }

    private static String row(Run run) {
        var steps = new StringBuilder();
        run.steps.forEach((id, status) -> {
            int attempts = run.attempts.getOrDefault(id, 0);
            steps.append(steps.isEmpty() ? "" : " ").append(id).append(mark(status)).append(attempts > 1 ? "×" + attempts : "");
        });
        return fit(String.format("%-7d %-16s %-10s %s", run.id, fit(run.pipeline, 16), run.status, steps));
    }

    /** One character per step status, so that a run's steps fit on its line. */
    static String mark(String status) {
        return switch (status) {
            case "succeeded" -> "✓";
            case "failed" -> "✗";
            case "running" -> "▶";
            case "waiting" -> "⏸";
            case "ready", "retrying" -> "…";
            case "skipped", "canceled" -> "-";
            default -> "·";
        };
    }

    /**
     * What a terminal is sent to show {@code lines} in place of what it showed before: each line written at
     * its row and the rest of that row erased, then everything below the view erased, with the cursor left on
     * the row under the view. Nothing scrolls and the screen is never blank between two views, so the view
     * neither flickers nor leaves copies of itself in the terminal's scrollback, as clearing the screen before
     * each view did. The first view clears the screen once, as {@code clear} does.
     */
    static String frame(List<String> lines, boolean first) {
        var frame = new StringBuilder(first ? "\033[H\033[2J" : "");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            frame.append("\033[").append(i + 1).append(";1H").append(line);
            if (width(line) < WIDTH) {
                frame.append("\033[K"); // not after a full row: there it would erase the row's last character
            }
        }
        return frame.append("\033[").append(lines.size() + 1).append(";1H\033[J").toString();
    }

    /** How many columns a terminal gives the text: two for East Asian wide characters, none for combining marks. */
    static int width(String text) {
        return text.codePoints().map(FleetView::width).sum();
    }

    private static int width(int c) {
        int type = Character.getType(c);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        boolean wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF)
                || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF)
                || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F)
                || (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F)
                || (c >= 0x1F680 && c <= 0x1F6FF) || (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
        return wide ? 2 : 1;
    }

    private static String fit(String text) {
        return fit(text, WIDTH);
    }

    /**
     * The text on one line of at most {@code width} columns, cut with "…" when longer. Line breaks and tabs
     * become spaces, other control characters '?', and invisible formatting characters go: text that comes
     * from runs, such as a prompt made from a run's inputs, must reach the terminal as text, never as its
     * commands (clear the screen, move the cursor, retitle the window), and take the columns it is counted for.
     */
    static String fit(String text, int width) {
        int[] shown = text.codePoints().filter(c -> Character.getType(c) != Character.FORMAT)
                .map(c -> c == '\n' || c == '\r' || c == '\t' ? ' ' : Character.getType(c) == Character.CONTROL ? '?' : c)
                .toArray();
        if (java.util.Arrays.stream(shown).map(FleetView::width).sum() <= width) {
            return new String(shown, 0, shown.length);
        }
        var line = new StringBuilder();
        int used = 0;
        for (int c : shown) {
            if (used + width(c) > width - 1) {
                break;
            }
            line.appendCodePoint(c);
            used += width(c);
        }
        return line.append('…').toString();
    }
}
