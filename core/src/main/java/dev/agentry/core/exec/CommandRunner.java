package dev.agentry.core.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.engine.Claim;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.pipeline.Template;
import dev.agentry.core.run.StepOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code command} step as a local subprocess ({@code /bin/sh -c}) in its run's working directory.
 *
 * <p>The process gets a small, explicit environment (never the server's own, which may hold database
 * credentials): PATH, HOME, LANG, LC_ALL, TZ, TMPDIR, USER and SHELL, the step's {@code env}, and the AGENTRY_ variables that identify the
 * attempt. Its output (stdout and stderr together) is streamed while it runs and kept as the step log,
 * bounded to the tail. It reports outputs by writing {@code key=value} lines or a JSON object to the file
 * named by {@code AGENTRY_OUTPUTS}, and may report progress by writing a JSON object (such as
 * {@code {"completed": 3, "total": 10}}) to the file named by {@code AGENTRY_PROGRESS}. On timeout or
 * cancel the whole process tree is stopped.
 */
public final class CommandRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL");
    private static final Duration KILL_GRACE = Duration.ofSeconds(3);
    private static final int MAX_OUTPUTS_BYTES = 1 << 20;
    private static final int MAX_PROGRESS_BYTES = 4096;
    /** Output waiting to be streamed between two chunks, per attempt. */
    private static final int PENDING_OUTPUT = 256 * 1024;

    private final Path workRoot;
    private final Path pids;
    private final int logCapacity;
    private final long streamLimit;
    private final java.time.Clock clock;

    /**
     * @param logCapacity bytes of the tail kept as the attempt's log
     * @param streamLimit bytes of an attempt's output streamed as events
     */
    public CommandRunner(Path workRoot, int logCapacity, long streamLimit, java.time.Clock clock) {
        this.workRoot = workRoot;
        this.pids = workRoot.resolve(".pids");
        this.logCapacity = logCapacity;
        this.streamLimit = streamLimit;
        this.clock = clock;
    }

    /**
     * Stops commands that an earlier process on this machine started and could not stop because it was
     * killed: their shells outlive it, and their steps are being retried elsewhere. Each running command
     * has a file named by its pid holding its start time, so a pid reused by an unrelated process is left
     * alone. Returns how many were stopped.
     */
    public int stopOrphans() {
        if (!Files.isDirectory(pids)) {
            return 0;
        }
        int stopped = 0;
        try (var files = Files.list(pids)) {
            for (Path file : files.toList()) {
                try {
                    long pid = Long.parseLong(file.getFileName().toString());
                    String started = Files.readString(file).trim();
                    var process = ProcessHandle.of(pid).filter(p -> p.info().startInstant()
                            .map(i -> Long.toString(i.toEpochMilli()).equals(started)).orElse(false));
                    if (process.isPresent()) {
                        stopTree(process.get());
                        stopped++;
                    }
                    Files.deleteIfExists(file);
                } catch (IOException | NumberFormatException e) {
                    // not one of ours, or already gone
                }
            }
        } catch (IOException e) {
            return stopped;
        }
        return stopped;
    }

    private static void stopTree(ProcessHandle root) {
        List<ProcessHandle> tree = new java.util.ArrayList<>(root.descendants().toList());
        tree.add(root);
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** A started command: waits for it, or stops it. */
    public final class Execution {
        private final Process process;
        private final StepOutput log;
        private final Thread reader;
        private final Path outputsFile;
        private final Path progressFile;
        private final Path pidFile;
        private volatile boolean stopped;
        private java.nio.file.attribute.FileTime progressSeen;

        private Execution(Process process, StepOutput log, Thread reader, Path outputsFile, Path progressFile, Path pidFile) {
            this.process = process;
            this.log = log;
            this.reader = reader;
            this.outputsFile = outputsFile;
            this.progressFile = progressFile;
            this.pidFile = pidFile;
        }

        /** What the command has printed so far. */
        public StepOutput output() {
            return log;
        }

        /**
         * The progress the command reported, if it changed since the last call; null otherwise. A file that
         * is not a small JSON object is ignored (the command may be halfway through writing it).
         */
        public synchronized Map<String, Object> progress() {
            try {
                if (!Files.exists(progressFile)) {
                    return null;
                }
                var modified = Files.getLastModifiedTime(progressFile);
                if (modified.equals(progressSeen) || Files.size(progressFile) > MAX_PROGRESS_BYTES) {
                    return null;
                }
                JsonNode node = JSON.readTree(Files.readString(progressFile, StandardCharsets.UTF_8));
                if (node == null || !node.isObject()) {
                    return null;
                }
                progressSeen = modified;
                return JSON.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
        }

        private void forget() {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale file is checked against the process start time before anything is stopped
            }
        }

        /** Blocks until the command ends or its timeout passes, and says how the attempt went. */
        public StepOutcome await(StepOutcome.StepRef ref, Duration timeout) throws InterruptedException {
            try {
                return awaitOutcome(ref, timeout);
            } finally {
                forget();
            }
        }

        private StepOutcome awaitOutcome(StepOutcome.StepRef ref, Duration timeout) throws InterruptedException {
            boolean finished = timeout == null ? waitForever() : process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                stop();
                reader.join(KILL_GRACE.toMillis());
                return StepOutcome.failed(ref, "timed out after " + dev.agentry.core.pipeline.Durations.format(timeout), null, log.text());
            }
            reader.join(KILL_GRACE.toMillis());
            int exit = process.exitValue();
            if (stopped) {
                return StepOutcome.failed(ref, "stopped", exit, log.text());
            }
            if (exit != 0) {
                return StepOutcome.failed(ref, "exited with code " + exit, exit, log.text());
            }
            try {
                return StepOutcome.succeeded(ref, readOutputs(outputsFile), exit, log.text());
            } catch (IOException | IllegalArgumentException e) {
                return StepOutcome.failed(ref, "could not read outputs from AGENTRY_OUTPUTS: " + e.getMessage(), exit, log.text());
            }
        }

        private boolean waitForever() throws InterruptedException {
            process.waitFor();
            return true;
        }

        /** Stops the command and everything it started: TERM first, KILL after a grace period. */
        public void stop() {
            stopped = true;
            List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
            tree.add(process.toHandle());
            tree.forEach(ProcessHandle::destroy);
            try {
                process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Children that ignored TERM, including ones started after the first snapshot.
            process.descendants().forEach(tree::add);
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    public Execution start(Claim claim, StepDefinition step, Template.Context context) throws IOException {
        var command = (StepAction.Command) step.action();
        Path runDir = workRoot.resolve(Long.toString(claim.runId()));
        Path outputs = runDir.resolve(".agentry").resolve(claim.stepId() + "." + claim.attempt() + ".outputs");
        Path progress = runDir.resolve(".agentry").resolve(claim.stepId() + "." + claim.attempt() + ".progress");
        Files.createDirectories(outputs.getParent());
        Files.deleteIfExists(outputs);
        Files.deleteIfExists(progress);

        var shell = Template.renderForShell(command.run(), context);
        var builder = new ProcessBuilder("/bin/sh", "-c", shell.script())
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        Map<String, String> inherited = new LinkedHashMap<>();
        INHERITED.forEach(name -> {
            String v = System.getenv(name);
            if (v != null) {
                inherited.put(name, v);
            }
        });
        env.clear();
        env.putAll(inherited);
        command.env().forEach((k, v) -> env.put(k, Template.render(v, context)));
        env.putAll(shell.variables());
        env.put("AGENTRY_RUN_ID", Long.toString(claim.runId()));
        env.put("AGENTRY_STEP_ID", claim.stepId());
        env.put("AGENTRY_ATTEMPT", Integer.toString(claim.attempt()));
        env.put("AGENTRY_IDEMPOTENCY_KEY", claim.idempotencyKey());
        env.put("AGENTRY_OUTPUTS", outputs.toString());
        env.put("AGENTRY_PROGRESS", progress.toString());
        env.put("AGENTRY_WORKDIR", runDir.toString());

        Process process = builder.start();
        Path pidFile = remember(process);
        var log = new StepOutput(logCapacity, streamLimit, PENDING_OUTPUT, clock);
        Thread reader = Thread.ofVirtual().name("log-" + claim.runId() + "-" + claim.stepId()).start(() -> pump(process.getInputStream(), log));
        return new Execution(process, log, reader, outputs, progress, pidFile);
    }

    private Path remember(Process process) throws IOException {
        Files.createDirectories(pids);
        Path file = pids.resolve(Long.toString(process.pid()));
        String started = process.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("");
        Files.writeString(file, started);
        return file;
    }

    private static void pump(InputStream in, StepOutput log) {
        byte[] chunk = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                log.write(chunk, 0, n);
            }
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        }
    }

    /** {@code key=value} lines, or one JSON object whose values become strings (nested ones as JSON). */
    static Map<String, String> readOutputs(Path file) throws IOException {
        var outputs = new LinkedHashMap<String, String>();
        if (!Files.exists(file)) {
            return outputs;
        }
        if (Files.size(file) > MAX_OUTPUTS_BYTES) {
            throw new IllegalArgumentException("the outputs file is larger than " + MAX_OUTPUTS_BYTES + " bytes");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("{")) {
            JsonNode node = JSON.readTree(text);
            node.fields().forEachRemaining(e -> outputs.put(LogTail.storable(e.getKey()),
                    LogTail.storable(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
            return outputs;
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
            }
            outputs.put(LogTail.storable(line.substring(0, eq).trim()), LogTail.storable(line.substring(eq + 1)));
        }
        return outputs;
    }
}
