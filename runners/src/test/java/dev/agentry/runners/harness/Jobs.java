package dev.agentry.runners.harness;

import dev.agentry.core.job.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Job specs and a harness for tests. */
public final class Jobs {
    private Jobs() {}

    /** A command job on {@code repository}'s {@code task} branch (based on {@code main}). */
    public static JobSpec command(String jobId, String url, String credential, String run, Map<String, String> env) {
        return spec(jobId, JobSpec.COMMAND, new JobSpec.RepositoryCheckout("repo", url, "main", credential), "task",
                run, env, null, null);
    }

    public static JobSpec command(String jobId, Origin origin, String run) {
        return command(jobId, origin.url(), null, run, Map.of());
    }

    public static JobSpec scratch(String jobId, long runId, String run, Map<String, String> env) {
        return new JobSpec(JobSpec.VERSION, jobId, JobSpec.COMMAND, runId, "build", 1, "key-" + jobId, "default",
                null, null, run, env, null, null, null);
    }

    public static JobSpec syncBase(String jobId, Origin origin, String resolver) {
        return spec(jobId, JobSpec.SYNC_BASE, new JobSpec.RepositoryCheckout("repo", origin.url(), "main", null), "task",
                resolver, Map.of(), null, null);
    }

    public static JobSpec spec(String jobId, String kind, JobSpec.RepositoryCheckout repo, String taskBranch, String run,
                               Map<String, String> env, JobSpec.Timeouts timeouts, JobSpec.Leftovers leftovers) {
        return new JobSpec(JobSpec.VERSION, jobId, kind, 7, "build", 1, "key-" + jobId, "default", repo, taskBranch, run,
                env, timeouts, leftovers, null);
    }

    public static JobSpec withLeftovers(JobSpec s, JobSpec.Leftovers leftovers) {
        return new JobSpec(s.version(), s.jobId(), s.kind(), s.runId(), s.stepId(), s.attempt(), s.idempotencyKey(),
                s.workspace(), s.repository(), s.taskBranch(), s.run(), s.env(), s.timeouts(), leftovers, s.callback());
    }

    public static JobSpec withTimeouts(JobSpec s, Duration wall, Duration noOutput) {
        return new JobSpec(s.version(), s.jobId(), s.kind(), s.runId(), s.stepId(), s.attempt(), s.idempotencyKey(),
                s.workspace(), s.repository(), s.taskBranch(), s.run(), s.env(), new JobSpec.Timeouts(wall, noOutput),
                s.leftovers(), s.callback());
    }

    public static Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    public static Harness harness(Path workRoot) {
        return new Harness(new Harness.Settings(workRoot, Clock.systemUTC(), Duration.ofMillis(300), Duration.ofMinutes(1)));
    }

    /** A job run to its end on this thread, with what it reported on the way. */
    public record Ran(JobOutcome outcome, String output, List<Map<String, Object>> progress) {}

    public static Ran run(Harness harness, JobSpec spec) {
        var output = new JobOutput(64 * 1024, Clock.systemUTC(), null);
        List<Map<String, Object>> progress = new CopyOnWriteArrayList<>();
        JobOutcome outcome = harness.prepare(spec, output, new JobListener() {
            @Override
            public void progress(Map<String, Object> reported) {
                progress.add(reported);
            }
        }).run();
        var text = output.read(0, Integer.MAX_VALUE, true);
        return new Ran(outcome, text == null ? "" : text.text(), new ArrayList<>(progress));
    }

    /** The pids a test script wrote to {@code file}, one a line. */
    public static List<Long> pids(Path file) throws java.io.IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    /** Whether a process runs (a zombie nobody reaped does not). */
    public static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::alive).orElse(false);
    }
}
