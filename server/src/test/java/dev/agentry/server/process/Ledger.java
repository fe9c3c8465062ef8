package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The file every step of the test pipelines appends to when it executes: one line per execution with
 * the run, step, attempt and idempotency key. It is the ground truth of what really ran, to hold
 * against what the database recorded.
 */
final class Ledger {
    record Line(long run, String step, int attempt, String key) {}

    final Path file;

    Ledger(Path file) {
        this.file = file;
    }

    /** A pipeline of {@code steps} chained command steps, each writing its line to this ledger. */
    String pipeline(String name, int steps, String sleep) {
        var sb = new StringBuilder("name: " + name + "\nsteps:\n");
        for (int i = 1; i <= steps; i++) {
            sb.append("  - id: s").append(i).append("\n    kind: command\n");
            if (i > 1) {
                sb.append("    needs: [s").append(i - 1).append("]\n");
            }
            sb.append("    run: echo \"$AGENTRY_RUN_ID $AGENTRY_STEP_ID $AGENTRY_ATTEMPT $AGENTRY_IDEMPOTENCY_KEY\" >> ")
                    .append(file).append("; sleep ").append(sleep).append("\n");
        }
        return sb.toString();
    }

    List<Line> lines() throws IOException {
        var lines = new ArrayList<Line>();
        if (!Files.exists(file)) {
            return lines;
        }
        for (String raw : Files.readAllLines(file)) {
            if (raw.isBlank()) {
                continue;
            }
            String[] f = raw.trim().split(" ");
            lines.add(new Line(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2]), f[3]));
        }
        return lines;
    }

    /**
     * Holds the ledger against the recorded attempts of each run's steps: no attempt executed twice, no
     * step ran again after the attempt recorded as its success, and every other execution is accounted
     * for by an attempt recorded as failed or expired.
     */
    void assertAccountedFor(ServerProcess server, List<Long> runs, int steps) throws IOException {
        Map<String, List<Line>> byStep = new HashMap<>();
        for (Line line : lines()) {
            byStep.computeIfAbsent(line.run() + "/" + line.step(), k -> new ArrayList<>()).add(line);
        }
        int extra = 0;
        for (long run : runs) {
            for (int i = 1; i <= steps; i++) {
                String step = "s" + i;
                JsonNode attempts = server.get("/runs/" + run + "/steps/" + step).path("attempts");
                var executions = byStep.getOrDefault(run + "/" + step, List.of());
                int succeeded = -1;
                Map<Integer, String> recorded = new HashMap<>();
                for (JsonNode a : attempts) {
                    recorded.put(a.path("attempt").asInt(), a.path("status").asText());
                    if (a.path("status").asText().equals("succeeded")) {
                        assertThat(succeeded).as("run %d step %s has one succeeded attempt", run, step).isEqualTo(-1);
                        succeeded = a.path("attempt").asInt();
                    }
                }
                assertThat(succeeded).as("run %d step %s succeeded", run, step).isPositive();
                assertThat(executions).extracting(Line::attempt).as("run %d step %s: no attempt executed twice", run, step)
                        .doesNotHaveDuplicates();
                final int won = succeeded;
                assertThat(executions).extracting(Line::attempt).as("run %d step %s: the succeeded attempt ran", run, step)
                        .contains(won);
                for (Line line : executions) {
                    assertThat(line.attempt()).as("run %d step %s ran again after it succeeded", run, step).isLessThanOrEqualTo(won);
                    if (line.attempt() != won) {
                        extra++;
                        assertThat(recorded.get(line.attempt())).as("extra execution %s is accounted for", line)
                                .isIn("failed", "expired");
                    }
                }
            }
        }
        System.out.println("ledger: " + lines().size() + " executions for " + runs.size() * steps + " steps; "
                + extra + " extra, each accounted for by a failed or expired attempt");
    }
}
