package dev.agentry.runners.harness;

import dev.agentry.core.job.JobSpec;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Runs jobs on this machine, end to end: the repository's mirror, a working tree per job on the task branch,
 * the process with a small environment and no credentials, its timeouts, then what it left (commit or fail),
 * the push, and the result. Every pool runs its jobs through a harness: the local pool in the server's JVM,
 * a runner daemon on its own machine. See docs/harness.md.
 *
 * <p>Under {@code workRoot}: {@code mirrors/<name>} (bare, kept), {@code trees/<jobId>} (removed when the job
 * ends), {@code runs/<runId>} (the scratch directory of jobs without a repository, shared by a run's jobs),
 * {@code jobs/<jobId>} (the job's outputs and progress files), {@code .pids} (see {@link #stopOrphans()}).
 * One work root belongs to one process at a time.
 */
public final class Harness {
    /**
     * @param killGrace  how long a stopped process tree has between TERM and KILL
     * @param gitTimeout the longest one git command of the harness may take (fetch and push included)
     * @param agentryBin an executable that runs this Agentry's CLI ({@code agentry agent} for the built-in agent),
     *                   given to jobs as {@code AGENTRY_BIN}; null when jobs must find {@code agentry} on their PATH
     */
    public record Settings(Path workRoot, Clock clock, Duration killGrace, Duration gitTimeout, Path agentryBin) {
        public Settings(Path workRoot, Clock clock, Duration killGrace, Duration gitTimeout) {
            this(workRoot, clock, killGrace, gitTimeout, null);
        }

        public Settings {
            if (workRoot == null) {
                throw new IllegalArgumentException("workRoot is required");
            }
            workRoot = workRoot.toAbsolutePath().normalize();
            clock = clock == null ? Clock.systemUTC() : clock;
            killGrace = killGrace == null ? Duration.ofSeconds(3) : killGrace;
            gitTimeout = gitTimeout == null ? Duration.ofMinutes(10) : gitTimeout;
            if (killGrace.isNegative() || !gitTimeout.isPositive()) {
                throw new IllegalArgumentException("killGrace must not be negative and gitTimeout must be positive");
            }
        }

        public static Settings of(Path workRoot, Clock clock) {
            return new Settings(workRoot, clock, null, null);
        }
    }

    private final Settings settings;
    private final ConcurrentMap<String, Mirror> mirrors = new ConcurrentHashMap<>();
    /** The trees of jobs running in this harness: any other tree under {@code trees/} is left over. */
    private final Set<Path> liveTrees = ConcurrentHashMap.newKeySet();
    /** Finished trees kept for the next job on their mirror, oldest first; guarded by {@link #trees}. */
    private final java.util.Map<Mirror, java.util.ArrayDeque<Path>> idleTrees = new java.util.HashMap<>();
    /** Held while a tree changes hands (idle, live, named), so that no name is given to two trees. */
    private final Object trees = new Object();
    /** The most finished trees kept per mirror; beyond that, the oldest is removed. */
    static final int IDLE_TREES = 4;

    public Harness(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * A job ready to run: nothing happens until {@link JobExecution#run()} is called, on a thread of the
     * caller's choosing. Call this when the job is dispatched: jobs dispatched after a mirror asked the remote
     * for its branches reuse that answer instead of asking again.
     *
     * @param output   where the process's output goes; its tail becomes the job's log
     * @param listener told when the process starts and when it reports progress
     */
    public JobExecution prepare(JobSpec spec, JobOutput output, JobListener listener) {
        long dispatchedAt = System.nanoTime();
        var repo = spec.repository();
        if (repo != null && repo.url() != null && !repo.url().isBlank()) {
            mirror(repo).want(java.util.Arrays.asList(repo.baseBranch(), spec.taskBranch()));
        }
        return new JobExecution(this, spec, output, listener == null ? JobListener.NONE : listener, dispatchedAt);
    }

    /**
     * Stops the process trees that an earlier JVM using this work root started and left running when it was
     * killed, and removes the working trees it left. Call once at start, before running jobs. Returns how many
     * process trees were stopped.
     */
    public int stopOrphans() {
        int stopped = ProcessTree.stopOrphans(pids(), settings.killGrace());
        Path trees = settings.workRoot().resolve("trees");
        if (Files.isDirectory(trees)) {
            try (var list = Files.list(trees)) {
                for (Path tree : list.toList()) {
                    if (!liveTrees.contains(tree) && !idle().contains(tree)) {
                        deleteTree(tree);
                    }
                }
            } catch (IOException e) {
                // what is left is removed when a job of the same id starts, or by a later sweep
            }
        }
        Path mirrorRoot = settings.workRoot().resolve("mirrors");
        if (Files.isDirectory(mirrorRoot)) {
            try (var list = Files.list(mirrorRoot)) {
                for (Path dir : list.toList()) {
                    if (Files.exists(dir.resolve("HEAD"))) {
                        dev.agentry.runners.git.Git.bare(dir).tryRun("worktree", "prune");
                    }
                }
            } catch (IOException e) {
                // pruned on the next job's use
            }
        }
        return stopped;
    }

    /** The repository's mirror on this machine; {@link Mirror#open()} makes it on first use. */
    Mirror mirror(JobSpec.RepositoryCheckout repository) {
        return mirrors.computeIfAbsent(Mirror.nameFor(repository.url()), name ->
                new Mirror(settings.workRoot().resolve("mirrors").resolve(name), repository.url(), settings.gitTimeout()));
    }

    /** An idle tree of {@code mirror}, now live (the caller's), or null when it has none. The newest is taken. */
    Path takeIdle(Mirror mirror) {
        synchronized (trees) {
            var idle = idleTrees.get(mirror);
            Path dir = idle == null ? null : idle.pollLast();
            if (dir != null) {
                liveTrees.add(dir);
            }
            return dir;
        }
    }

    /**
     * Keeps the live tree {@code dir} (parked: detached, no branch) for the next job on {@code mirror}. Returns
     * the trees beyond {@link #IDLE_TREES} that the caller must remove with {@link #discarded}; they stay live
     * (no one takes their name) until then.
     */
    List<Path> park(Mirror mirror, Path dir) {
        synchronized (trees) {
            var idle = idleTrees.computeIfAbsent(mirror, m -> new java.util.ArrayDeque<>());
            idle.addLast(dir);
            liveTrees.remove(dir);
            List<Path> evicted = new java.util.ArrayList<>();
            while (idle.size() > IDLE_TREES) {
                Path oldest = idle.pollFirst();
                liveTrees.add(oldest);
                evicted.add(oldest);
            }
            return evicted;
        }
    }

    /** A live tree that no longer exists (removed) or is no longer the caller's. */
    void discarded(Path dir) {
        synchronized (trees) {
            liveTrees.remove(dir);
        }
    }

    /**
     * A directory under {@code trees/} for a new tree, now live: {@code <jobId>}, or {@code <jobId>.<n>} when that
     * name belongs to a tree kept or running here. (A directory of that name left by an earlier process is not
     * anyone's here and is replaced.)
     */
    Path newTree(String jobId) {
        Path root = settings.workRoot().resolve("trees");
        synchronized (trees) {
            Set<Path> idle = idle();
            Path dir = root.resolve(jobId);
            for (int n = 2; liveTrees.contains(dir) || idle.contains(dir); n++) {
                dir = root.resolve(jobId + "." + n);
            }
            liveTrees.add(dir);
            return dir;
        }
    }

    /** The trees kept for reuse, on every mirror. */
    Set<Path> idle() {
        synchronized (trees) {
            Set<Path> all = new java.util.HashSet<>();
            idleTrees.values().forEach(all::addAll);
            return all;
        }
    }

    Path pids() {
        return settings.workRoot().resolve(".pids");
    }

    Set<Path> liveTrees() {
        return liveTrees;
    }

    /**
     * Deletes a directory and everything in it, without following links out of it; directories the process made
     * read-only are made writable first. Harmless when it does not exist.
     */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dir.toFile().setWritable(true, true);
                dir.toFile().setExecutable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (!(e instanceof NoSuchFileException)) {
                    delete(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path path) throws IOException {
        try {
            Files.deleteIfExists(path);
        } catch (AccessDeniedException e) {
            Path parent = path.getParent();
            if (parent == null || !parent.toFile().setWritable(true, true)) {
                throw e;
            }
            Files.deleteIfExists(path);
        }
    }
}
