package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.ToolInput.required;
import static dev.agentry.agents.builtin.ToolInput.requiredText;
import static dev.agentry.agents.builtin.ToolInput.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.builtin.AgentTool.Refused;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command with {@code sh -c} in the working tree, if the policy allows it, with a timeout and a cap on
 * the output it keeps (its start and its end, where failures show). The command does not see the run's model
 * token or Agentry's own variables.
 */
final class RunCommand implements AgentTool {
    static final int HEAD_BYTES = 8_000;
    static final int TAIL_BYTES = 24_000;

    private final WorkTree tree;
    private final CommandPolicy policy;
    private final Duration timeout;

    RunCommand(WorkTree tree, CommandPolicy policy, Duration timeout) {
        this.tree = tree;
        this.policy = policy;
        this.timeout = timeout;
    }

    public String name() {
        return "run_command";
    }

    public String description() {
        return "Run one shell command in the working tree root and get its exit code and output (stdout and stderr)."
                + " Only allow-listed commands run; no pipes, chaining or redirection. Times out after "
                + timeout.toSeconds() + " seconds.";
    }

    public JsonNode inputSchema() {
        return schema(required("command"), "command", "string", "the command, e.g. sh test.sh");
    }

    public Output execute(JsonNode input) {
        String command = requiredText(input, "command");
        CommandPolicy.Verdict verdict = policy.check(command);
        if (!verdict.allowed()) {
            throw new Refused("command refused: " + verdict.reason());
        }
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(tree.root().toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AGENTRY_") || k.startsWith("ANTHROPIC_") || k.startsWith("OPENAI_"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new Refused("the command could not start: " + e.getMessage());
        }
        Capture capture = new Capture();
        Thread reader = Thread.ofVirtual().start(() -> capture.drain(process.getInputStream()));
        try {
            process.getOutputStream().close();
            boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(Duration.ofSeconds(5));
            if (!done) {
                return Output.error("timed out after " + timeout.toSeconds() + " seconds and was killed; output:\n" + capture.text());
            }
            int exit = process.exitValue();
            return new Output("exit code " + exit + "\n" + capture.text(), exit != 0);
        } catch (IOException e) {
            throw new Refused("the command failed: " + e.getMessage());
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Refused("interrupted while the command ran");
        }
    }

    /** Keeps the first {@link #HEAD_BYTES} and the last {@link #TAIL_BYTES} of the output. */
    private static final class Capture {
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private final byte[] tail = new byte[TAIL_BYTES];
        private long tailWritten;

        void drain(InputStream in) {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            if (head.size() < HEAD_BYTES) {
                                head.write(buffer[i]);
                            } else {
                                tail[(int) (tailWritten++ % TAIL_BYTES)] = buffer[i];
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process was killed: keep what was read
            }
        }

        synchronized String text() {
            StringBuilder text = new StringBuilder(head.toString(StandardCharsets.UTF_8));
            if (tailWritten > TAIL_BYTES) {
                text.append("\n…(").append(tailWritten - TAIL_BYTES).append(" bytes of output left out)…\n");
            }
            int kept = (int) Math.min(tailWritten, TAIL_BYTES);
            byte[] ordered = new byte[kept];
            long from = tailWritten - kept;
            for (int i = 0; i < kept; i++) {
                ordered[i] = tail[(int) ((from + i) % TAIL_BYTES)];
            }
            return text.append(new String(ordered, StandardCharsets.UTF_8)).toString();
        }
    }
}
