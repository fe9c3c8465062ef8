package dev.agentry.bench.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code agentry serve} in a JVM of its own, started from this JVM's classpath with the default
 * configuration (embedded PostgreSQL with fsync on) under a temporary home, so that what the server
 * costs in CPU and heap is measured apart from the load generator.
 *
 * <p>The server JVM gets no tuning flags, as {@code ./agentry serve} gets none; only a GC log (which is
 * how its heap is watched without attaching to it during the measurement) and, when asked, a flight
 * recording or other options for a diagnosis.
 */
public final class ServerProcess implements AutoCloseable {
    /** The administrator's token the bench's server is started with; every request sends it. */
    static final String TOKEN = "bench-admin-token-0000000001";

    private static final Pattern READY = Pattern.compile("Agentry is ready at (http://\\S+)");
    /** A G1 pause in {@code -Xlog:gc}: {@code [12.3s] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 51M->6M(256M) 3.456ms}. */
    private static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) Pause .*? (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([\\d.]+)ms");
    private static final Pattern HEAP_USED = Pattern.compile("committed (\\d+)K, used (\\d+)K");

    private final Process process;
    private final Path home;
    private final Path log;
    private final Path gcLog;
    private final String url;

    private ServerProcess(Process process, Path home, Path log, Path gcLog, String url) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.gcLog = gcLog;
        this.url = url;
    }

    /**
     * @param jfr     where to write a flight recording of the whole server life (profile settings), or null
     * @param jvmArgs more options for the server's JVM (for a diagnosis: heap, GC, recording settings)
     */
    public static ServerProcess start(Path home, Path jfr, List<String> jvmArgs) throws IOException, InterruptedException {
        Path log = home.resolve("server.log");
        Path gcLog = home.resolve("gc.log");
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xlog:gc:file=" + gcLog);
        if (jfr != null) {
            command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.agentry.server.Main", "serve",
                "--home", home.toString(), "--port", "0"));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("AGENTRY_HOME", home.toString());
        builder.environment().put("AGENTRY_BOOTSTRAP_TOKEN", TOKEN);
        Process process = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = READY.matcher(out);
            if (m.find()) {
                return new ServerProcess(process, home, log, gcLog, m.group(1));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + out);
            }
            Thread.sleep(100);
        }
        process.destroyForcibly().waitFor();
        stopPostgres(home);
        throw new IllegalStateException("the server was not ready within 90 s; the end of its output:\n" + tail(log));
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU time of the server JVM so far, in nanoseconds. */
    public long jvmCpuNanos() {
        return Cpu.processNanos(process.pid());
    }

    /**
     * CPU time of the embedded PostgreSQL (the postmaster and every backend) so far. pg_ctl starts it
     * detached, so it is found through its pid file rather than as a child of the server.
     */
    public long postgresCpuNanos() throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(home.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
        long total = Cpu.processNanos(postmaster);
        for (var child : ProcessHandle.of(postmaster).map(p -> p.descendants().toList()).orElse(List.of())) {
            total += Cpu.processNanos(child.pid());
        }
        return total;
    }

    /**
     * The JDBC URL of the server's embedded database (the one this benchmark's temporary home holds): its
     * port from the postmaster's pid file, its generated password from next to the data directory.
     */
    public String databaseUrl() throws IOException {
        Path data = home.resolve("postgres");
        String port = Files.readAllLines(data.resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(home.resolve("postgres.password")).trim();
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=" + password;
    }

    /** Where the GC log stands now: pauses logged after this mark are read by {@link #gcSince}. */
    public long gcMark() throws IOException {
        return Files.size(gcLog);
    }

    /** The pauses logged since {@code mark}: the largest heap use seen before one, and their total time. */
    public record GcWindow(int pauses, double pauseMillis, double maxUsedMiB, double maxCommittedMiB) {}

    public GcWindow gcSince(long mark) throws IOException {
        byte[] all = Files.readAllBytes(gcLog);
        String text = new String(all, (int) Math.min(mark, all.length), (int) Math.max(0, all.length - mark), StandardCharsets.UTF_8);
        int pauses = 0;
        double millis = 0;
        double maxUsed = 0;
        double maxCommitted = 0;
        Matcher m = PAUSE.matcher(text);
        while (m.find()) {
            pauses++;
            maxUsed = Math.max(maxUsed, mib(m.group(1), m.group(2)));
            maxCommitted = Math.max(maxCommitted, mib(m.group(5), m.group(6)));
            millis += Double.parseDouble(m.group(7));
        }
        return new GcWindow(pauses, millis, maxUsed, maxCommitted);
    }

    private static double mib(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** Heap in use and committed now, in MiB, as {@code jcmd GC.heap_info} tells (after a full GC when asked). */
    public double[] heap(boolean afterFullGc) throws IOException, InterruptedException {
        if (afterFullGc) {
            jcmd("GC.run");
        }
        Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {Long.parseLong(m.group(2)) / 1024.0, Long.parseLong(m.group(1)) / 1024.0};
    }

    private String jcmd(String what) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        var p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), what).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Stops the server as an operator would (SIGTERM), so that it stops its database and writes the recording. */
    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            stopPostgres(home);
            System.err.println("the server did not stop within 60 s and was killed; the end of its output:\n" + tail(log));
        }
    }

    /** A server killed before it could stop its embedded database leaves the postmaster running: stop it. */
    private static void stopPostgres(Path home) throws IOException {
        Path pid = home.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
        }
    }

    /** The last lines the server printed (its home, and so its log, is deleted when the benchmark ends). */
    private static String tail(Path log) throws IOException {
        var lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
