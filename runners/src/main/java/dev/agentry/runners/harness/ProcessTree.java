package dev.agentry.runners.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A job's process and everything it started, and how to stop all of it.
 *
 * <p>The process is started through {@code setsid}, so it leads a process group (and session) of its own that
 * its children, grandchildren and double-forked daemons inherit. The tree is therefore found three ways, and
 * stopped as their union: the live descendants, every descendant seen before (they stay known after their
 * parent died and they were handed to init), and every process of the group (on Linux, from {@code /proc}).
 * Only a process that leaves the group on purpose ({@code setsid}, {@code setpgid}) escapes; that is out of
 * reach without cgroups.
 *
 * <p>A pid file {@code <pids>/<pid>} holding the process's start time (epoch milliseconds, as
 * the engine wrote them before the harness) lets a later JVM stop what an earlier one left running when it was killed
 * ({@link #stopOrphans}).
 */
final class ProcessTree {
    private static final Path SETSID = Optional.of(Path.of("/usr/bin/setsid")).filter(Files::isExecutable)
            .or(() -> Optional.of(Path.of("/bin/setsid")).filter(Files::isExecutable)).orElse(null);
    private static final boolean PROC = Files.isDirectory(Path.of("/proc/self"));
    private static final Duration TICK = Duration.ofMillis(20);

    private final Process process;
    private final boolean ownGroup;
    private final Path pidFile;
    /** Every process of the tree seen so far, by pid, as its handle (which remembers its start time). */
    private final Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();

    private ProcessTree(Process process, boolean ownGroup, Path pidFile) {
        this.process = process;
        this.ownGroup = ownGroup;
        this.pidFile = pidFile;
    }

    /** Starts {@code command} (the builder's other settings are kept) in a process group of its own. */
    static ProcessTree start(ProcessBuilder builder, Path pids) throws IOException {
        boolean group = SETSID != null;
        if (group) {
            List<String> command = new ArrayList<>(builder.command());
            command.add(0, SETSID.toString());
            builder.command(command);
        }
        Process process = builder.start();
        Path pidFile = null;
        try {
            Files.createDirectories(pids);
            pidFile = pids.resolve(Long.toString(process.pid()));
            Files.writeString(pidFile, Long.toString(startMillis(process.toHandle())));
        } catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        return new ProcessTree(process, group, pidFile);
    }

    Process process() {
        return process;
    }

    /** Notes the tree's current members, so that those whose parent dies before a stop are still found. */
    void observe() {
        members();
    }

    /** The live members of the tree, the root included while it runs. */
    List<ProcessHandle> members() {
        Map<Long, ProcessHandle> found = new LinkedHashMap<>();
        process.descendants().forEach(p -> found.put(p.pid(), p));
        if (ownGroup) {
            groupMembers(process.pid(), startMillis(process.toHandle())).forEach(p -> found.putIfAbsent(p.pid(), p));
        }
        seen.putAll(found);
        seen.values().removeIf(p -> !alive(p));
        List<ProcessHandle> members = new ArrayList<>(seen.values());
        if (process.isAlive()) {
            members.add(process.toHandle());
        }
        return members;
    }

    /**
     * Stops the whole tree: TERM to every member, then, for those still there after {@code grace} (and any
     * started meanwhile), KILL. Returns when nothing of the tree is left, or after a few seconds more.
     */
    void stop(Duration grace) {
        members().forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> left = members();
            if (left.isEmpty()) {
                break;
            }
            left.forEach(ProcessHandle::destroy); // children started after the first round
            sleep(TICK);
        }
        long killDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < killDeadline) {
            List<ProcessHandle> left = members();
            if (left.isEmpty()) {
                break;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            sleep(TICK);
        }
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forgets the pid file: the tree is gone. */
    void forget() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale file is checked against the start time before anything is stopped
        }
    }

    /**
     * Stops the trees that an earlier JVM started from {@code pids} and could not stop because it was killed.
     * A pid file names the process and holds its start time, so a pid since reused by an unrelated process is
     * left alone; when the recorded process itself is gone, what is left of the group it led is stopped
     * (members started no earlier than it). Returns how many trees were stopped.
     */
    static int stopOrphans(Path pids, Duration grace) {
        if (!Files.isDirectory(pids)) {
            return 0;
        }
        int stopped = 0;
        List<Path> files;
        try (var list = Files.list(pids)) {
            files = list.toList();
        } catch (IOException e) {
            return 0;
        }
        for (Path file : files) {
            try {
                long pid = Long.parseLong(file.getFileName().toString());
                long started = Long.parseLong(Files.readString(file).trim());
                Optional<ProcessHandle> holder = ProcessHandle.of(pid);
                if (holder.isPresent() && startMillis(holder.get()) != started) {
                    // The pid is another process's now. Linux gives out no pid still naming a process group,
                    // so the group the recorded process led is empty: nothing of ours is left.
                    Files.deleteIfExists(file);
                    continue;
                }
                Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
                holder.filter(ProcessTree::alive).ifPresent(root -> {
                    root.descendants().forEach(p -> tree.put(p.pid(), p));
                    tree.put(root.pid(), root);
                });
                groupMembers(pid, started).forEach(p -> tree.putIfAbsent(p.pid(), p));
                if (!tree.isEmpty()) {
                    stopAll(new ArrayList<>(tree.values()), grace);
                    stopped++;
                }
                Files.deleteIfExists(file);
            } catch (IOException | RuntimeException e) {
                // not one of ours, or already gone
            }
        }
        return stopped;
    }

    private static void stopAll(List<ProcessHandle> tree, Duration grace) {
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessTree::alive)) {
            sleep(TICK);
        }
        tree.stream().filter(ProcessTree::alive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * The live processes of the group led by {@code leader}, started no earlier than the leader was (a group id
     * is a pid, and pids are reused). Empty where there is no {@code /proc}.
     */
    private static List<ProcessHandle> groupMembers(long leader, long leaderStartMillis) {
        if (!PROC) {
            return List.of();
        }
        List<ProcessHandle> members = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() != leader && processGroup(p.pid()) == leader && startMillis(p) >= leaderStartMillis && alive(p)) {
                members.add(p);
            }
        });
        return members;
    }

    /** The process group of {@code pid} from {@code /proc/<pid>/stat}; -1 when it cannot be read. */
    private static long processGroup(long pid) {
        String[] fields = statFields(pid);
        return fields == null || fields.length < 3 ? -1 : Long.parseLong(fields[2]);
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name (state, ppid, pgrp, ...). */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 ? null : stat.substring(close + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Alive and not a zombie waiting for a parent (or an init) that does not reap it. */
    static boolean alive(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        if (!PROC) {
            return true;
        }
        String[] fields = statFields(p.pid());
        return fields != null && !fields[0].equals("Z") && !fields[0].equals("X");
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
