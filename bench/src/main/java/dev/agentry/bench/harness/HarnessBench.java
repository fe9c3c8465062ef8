package dev.agentry.bench.harness;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.runners.git.Git;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.runners.local.LocalPool;
import dev.agentry.runners.manifest.ManifestParser;
import dev.agentry.runners.manifest.ManifestPool;
import dev.agentry.server.runner.RunnerDaemon;
import java.net.http.HttpClient;
import java.util.Optional;
import java.util.Set;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * How long a job takes to start on the local pool: from {@link LocalPool#dispatch} until the first line the job's
 * process prints (its first command is {@code echo started}) reaches a client long-polling the pool. That is
 * the latency a user of the pool sees, and it includes everything in between: the mirror's check with the remote
 * (and a fetch when needed), the working tree, the process's start, and the poll's wake-up.
 *
 * <p>The repository is made here: {@code HARNESS_FILES} (default 5,000) small text files three directories deep,
 * one commit, in a bare repository reached by a {@code file://} URL. Scenarios, each a sequence of jobs on an
 * idle pool of 4 slots:
 * <ul>
 *   <li><b>scratch</b>: a job without a repository (the pool, the process and the poll alone);
 *   <li><b>cold mirror</b>: the first job on a new work root ({@code HARNESS_COLD} times, default 5): the mirror
 *       is created and fetches everything;
 *   <li><b>warm, new task branch</b>: each job on a task branch the remote does not have yet (a run's first
 *       step): the tree starts at the base;
 *   <li><b>warm, resumed task branch</b>: each job on the one task branch the previous job committed to and
 *       pushed (a run's later steps).
 * </ul>
 * {@code HARNESS_JOBS} (default 30) jobs per warm scenario, after 3 unmeasured ones. {@code HARNESS_ROOT} chooses
 * where the work roots go (default: a new directory under {@code java.io.tmpdir}); the time to write 5,000 files
 * depends on the file system, so the bench also times that alone.
 */
public final class HarnessBench {
    private static final int FILES = intEnv("HARNESS_FILES", 5_000);
    private static final int JOBS = intEnv("HARNESS_JOBS", 30);
    private static final int COLD = intEnv("HARNESS_COLD", 5);
    private static final int WARMUPS = 3;

    private HarnessBench() {}

    public static void main(String[] args) throws Exception {
        Path root = System.getenv("HARNESS_ROOT") == null
                ? Files.createTempDirectory("harness-bench")
                : Files.createDirectories(Path.of(System.getenv("HARNESS_ROOT"))).resolve("harness-bench-" + System.nanoTime());
        Files.createDirectories(root);
        System.out.printf("Harness bench: %,d files, %d jobs per warm scenario, %d cold; under %s%n", FILES, JOBS, COLD, root);
        System.out.printf("%d cores, %s, git %s%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Git.tree(root).run("--version").line().replace("git version ", ""));

        long t0 = System.nanoTime();
        String url = repository(root.resolve("origin"));
        System.out.printf("repository made in %d ms%n%n", (System.nanoTime() - t0) / 1_000_000);

        Map<String, Samples> results = new LinkedHashMap<>();
        try (var pool = pool(root.resolve("work"))) {
            results.put("scratch (no repository)", measure(pool, WARMUPS, JOBS, i -> scratch("scratch-" + i)));
        }
        var cold = new Samples();
        for (int i = 0; i < COLD; i++) {
            try (var pool = pool(root.resolve("cold-" + i))) {
                cold.add(once(pool, command("cold-" + i, url, "bench-cold-" + i, "echo started")));
            }
        }
        results.put("cold mirror (first job)", cold);
        try (var pool = pool(root.resolve("warm"))) {
            results.put("warm, new task branch", measure(pool, WARMUPS, JOBS,
                    i -> command("new-" + i, url, "bench-new-" + i, "echo started")));
            results.put("warm, resumed task branch", measure(pool, WARMUPS, JOBS, i -> command("resume-" + i, url, "bench-resume",
                    "echo started; echo " + i + " > bench-" + i + ".txt && git add bench-" + i + ".txt && git commit -q -m 'Bench " + i + "'")));
        }
        // The same jobs on an Agentry runner (over HTTP, through the shipped manifest and the generic adapter).
        try (var daemon = new RunnerDaemon(pool(root.resolve("runner")), 4, RUNNER_TOKEN).start("127.0.0.1", 0);
             var remote = runnerPool(daemon.port())) {
            results.put("runner, scratch", measure(remote, WARMUPS, JOBS, i -> scratch("runner-scratch-" + i)));
            results.put("runner, warm, new task branch", measure(remote, WARMUPS, JOBS,
                    i -> command("runner-new-" + i, url, "bench-runner-new-" + i, "echo started")));
        }

        System.out.printf("%-28s %4s %9s %9s %9s %9s   %s%n", "dispatch -> first output", "n", "p50", "p90", "p99", "max",
                "job p50 (dispatch -> done)");
        results.forEach((name, s) -> System.out.printf("%-28s %4d %6d ms %6d ms %6d ms %6d ms   %d ms%n",
                name, s.started.size(), s.pct(s.started, 50), s.pct(s.started, 90), s.pct(s.started, 99), s.pct(s.started, 100),
                s.pct(s.done, 50)));

        System.out.println();
        System.out.println("The git commands of a warm start, timed alone (p50 of 10):");
        breakdown(root.resolve("alone"), url);
        Directories.delete(root);
    }

    private static final String RUNNER_TOKEN = "bench-runner-token-0123456789";

    /** The shipped runner manifest, pointed at the runner on {@code port}. */
    private static RunnerPool runnerPool(int port) throws IOException {
        Path example = Path.of("examples/pools/agentry-runner.yaml");
        if (!Files.exists(example)) {
            example = Path.of("../examples/pools/agentry-runner.yaml");
        }
        String manifest = Files.readString(example).replace("http://127.0.0.1:7171", "http://127.0.0.1:" + port);
        return new ManifestPool(ManifestParser.parse(manifest, Set.of("127.0.0.1")),
                ref -> Optional.of(RUNNER_TOKEN), HttpClient.newHttpClient());
    }

    private static LocalPool pool(Path workRoot) {
        return new LocalPool(new LocalPool.Settings(workRoot, 4, 64 * 1024, Clock.systemUTC(), null, null));
    }

    private static final class Samples {
        final List<Long> started = new ArrayList<>();
        final List<Long> done = new ArrayList<>();

        void add(long[] sample) {
            started.add(sample[0]);
            done.add(sample[1]);
        }

        long pct(List<Long> values, int p) {
            List<Long> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1_000_000;
        }
    }

    private static Samples measure(RunnerPool pool, int warmups, int jobs, IntFunction<JobSpec> spec) throws Exception {
        var samples = new Samples();
        for (int i = 0; i < warmups + jobs; i++) {
            long[] sample = once(pool, spec.apply(i));
            if (i >= warmups) {
                samples.add(sample);
            }
        }
        return samples;
    }

    /** Dispatches one job and long-polls it: nanoseconds to its first output, and to its end. */
    private static long[] once(RunnerPool pool, JobSpec spec) throws Exception {
        long t0 = System.nanoTime();
        pool.dispatch(spec);
        JobView view = pool.poll(spec.jobId(), Duration.ofSeconds(60), 0);
        while (view.output() == null && !view.state().finished()) {
            view = pool.poll(spec.jobId(), Duration.ofSeconds(60), 0);
        }
        long started = System.nanoTime() - t0;
        while (!view.state().finished()) {
            view = pool.poll(spec.jobId(), Duration.ofSeconds(60), -1);
        }
        long done = System.nanoTime() - t0;
        if (view.state() != JobState.DONE) {
            throw new IllegalStateException("job " + spec.jobId() + " failed: " + view.error());
        }
        pool.release(spec.jobId());
        return new long[] {started, done};
    }

    private static JobSpec scratch(String jobId) {
        return new JobSpec(JobSpec.VERSION, jobId, JobSpec.COMMAND, 1, "bench", 1, jobId, "default", null, null,
                "echo started", Map.of(), null, null, null);
    }

    private static JobSpec command(String jobId, String url, String taskBranch, String run) {
        return new JobSpec(JobSpec.VERSION, jobId, JobSpec.COMMAND, 1, "bench", 1, jobId, "default",
                new JobSpec.RepositoryCheckout("bench", url, "main", null), taskBranch, run, Map.of(), null, null, null);
    }

    /** A bare repository whose {@code main} has {@link #FILES} files in one commit; returns its URL. */
    private static String repository(Path dir) throws IOException {
        Path seed = dir.resolve("seed");
        Path bare = dir.resolve("origin.git");
        Files.createDirectories(dir);
        Git.tree(dir).run("init", "--quiet", "--initial-branch=main", seed.toString());
        Git.tree(dir).run("init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
        for (int i = 0; i < FILES; i++) {
            Path file = seed.resolve("src/module-" + (i / 500) + "/package-" + (i / 50 % 10) + "/File" + i + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "file " + i + "\n".repeat(1 + i % 20));
        }
        Git.tree(seed).run("add", "--all");
        Git.tree(seed).run("commit", "--quiet", "-m", "A repository of " + FILES + " files");
        Git.tree(seed).run("push", "--quiet", bare.toString(), "main");
        Directories.delete(seed);
        return bare.toUri().toString();
    }

    /** The harness's git commands for a warm start on a new task branch, each timed alone. */
    private static void breakdown(Path dir, String url) throws IOException {
        Path mirror = dir.resolve("mirror.git");
        Files.createDirectories(dir);
        Git.tree(dir).run("init", "--quiet", "--bare", mirror.toString());
        Git bare = Git.bare(mirror);
        bare.run("fetch", "--quiet", url, "+refs/heads/main:refs/remotes/origin/main");
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (String name : List.of("ls-remote (base, task)", "worktree add --no-checkout", "reset --hard (checkout)",
                "sh -c 'echo started'", "tree removal (delete + prune)")) {
            times.put(name, new ArrayList<>());
        }
        for (int i = 0; i < 10; i++) {
            Path tree = dir.resolve("tree-" + i);
            long t = System.nanoTime();
            bare.remote(null, Duration.ofMinutes(1), "ls-remote", "--", url, "refs/heads/main", "refs/heads/none");
            t = lap(times, "ls-remote (base, task)", t);
            bare.run("worktree", "add", "--quiet", "--no-checkout", "-B", "b" + i, tree.toString(), "refs/remotes/origin/main");
            t = lap(times, "worktree add --no-checkout", t);
            Git.tree(tree).run("reset", "--quiet", "--hard");
            t = lap(times, "reset --hard (checkout)", t);
            try {
                new ProcessBuilder("/bin/sh", "-c", "echo started").directory(tree.toFile()).start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            t = lap(times, "sh -c 'echo started'", t);
            Directories.delete(tree);
            bare.run("worktree", "prune");
            lap(times, "tree removal (delete + prune)", t);
        }
        times.forEach((name, ms) -> System.out.printf("  %-32s %5d ms%n", name,
                ms.stream().sorted().toList().get(ms.size() / 2)));
    }

    private static long lap(Map<String, List<Long>> times, String name, long since) {
        long now = System.nanoTime();
        times.get(name).add((now - since) / 1_000_000);
        return now;
    }

    private static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    /** Recursive delete for the bench's own directories. */
    private static final class Directories {
        static void delete(Path root) throws IOException {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
