package dev.agentry.bench.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time from Linux's /proc, for processes this JVM did not start as well as for those it did. */
public final class Cpu {
    /** USER_HZ: /proc counts CPU time in ticks of 10 ms on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private Cpu() {}

    /** utime + stime of one process (all its threads), in nanoseconds; 0 when it is gone. */
    public static long processNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name in parentheses may hold spaces: count fields from after it.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException gone) {
            return 0;
        }
    }

    /** Write system calls a process has made so far (all its threads: sockets, files, pipes); 0 when unknown. */
    public static long writeSyscalls(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("syscw:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // another user's process, or gone
        }
        return 0;
    }

    /**
     * CPU time the whole machine spent busy (everything but idle and I/O wait), summed over cores: with
     * what the measured processes used, it tells how much other programs on a shared machine took.
     */
    public static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i <= 7; i++) { // user nice system (idle iowait) irq softirq; steal was not ours to use
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * NANOS_PER_TICK;
        } catch (IOException e) {
            return 0;
        }
    }
}
