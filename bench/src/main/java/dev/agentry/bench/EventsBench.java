package dev.agentry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentry.bench.events.Api;
import dev.agentry.bench.events.Result;
import dev.agentry.bench.events.Scenario;
import dev.agentry.bench.events.ServerProcess;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event fan-out benchmark: a real {@code agentry serve} in a process of its own (embedded PostgreSQL,
 * fsync on, default settings), {@code bench.events.subscribers} (1,000) Server-Sent Events streams on
 * one workspace from this JVM while runs are started at a pace that makes about
 * {@code bench.events.rate} (200) events a second; then one subscriber at one run a second.
 *
 * <p>Delivery latency is the time a subscriber received an event minus the event's {@code ts}, the
 * server's clock when the change was written, in the transaction that committed it. Server and client
 * run on the same machine and read the same clock, so the difference is meaningful; it covers the
 * commit itself (fsync), sequencing, the hub's read of the log, the fan-out, HTTP and the client's own
 * scheduling, which shares the cores with the server.
 *
 * <p>{@code ./mvnw -q install -DskipTests && ./mvnw -q exec:exec -pl bench -Dbench.main=dev.agentry.bench.EventsBench};
 * see bench/README.md for the settings.
 */
public final class EventsBench {
    private static final String PIPELINE_NAME = "bench-events";
    private static final String PIPELINE = """
            name: bench-events
            description: Three no-op steps in a chain, a dozen events per run.
            steps:
              - {id: a, kind: noop}
              - {id: b, kind: noop, needs: [a]}
              - {id: c, kind: noop, needs: [b]}
            """;

    private EventsBench() {}

    public static void main(String[] args) throws Exception {
        int subscribers = Integer.getInteger("bench.events.subscribers", 1000);
        double rate = Double.parseDouble(System.getProperty("bench.events.rate", "200"));
        int repeats = Integer.getInteger("bench.events.repeats", 3);
        var warmup = Duration.ofSeconds(Integer.getInteger("bench.events.warmup", 10));
        var measure = Duration.ofSeconds(Integer.getInteger("bench.events.measure", 30));
        var singleMeasure = Duration.ofSeconds(Integer.getInteger("bench.events.single", 20));
        int clientThreads = Integer.getInteger("bench.events.clientThreads", 2);
        Path output = Path.of(System.getProperty("bench.events.output",
                Files.isDirectory(Path.of("bench", "target")) ? "bench/target/events-bench.json" : "target/events-bench.json"));
        Path jfr = Boolean.getBoolean("bench.events.jfr") ? output.resolveSibling("events-server.jfr").toAbsolutePath() : null;
        String serverJvmArgs = System.getProperty("bench.events.serverJvmArgs", "").trim();

        Files.createDirectories(output.toAbsolutePath().getParent());
        Path home = Files.createTempDirectory("agentry-events-bench-");
        try (var server = ServerProcess.start(home, jfr, serverJvmArgs.isEmpty() ? List.of() : List.of(serverJvmArgs.split("\\s+")))) {
            var api = new Api(server.url());
            String loadBefore = loadAverage();
            System.out.printf("events bench: server pid %d at %s (embedded PostgreSQL, fsync on, default settings), "
                            + "%d cores shared by server, database and this client, Java %s; load average before: %s%s%n",
                    server.pid(), server.url(), Runtime.getRuntime().availableProcessors(), Runtime.version(), loadBefore,
                    jfr == null ? "" : "; recording the server to " + jfr);
            api.apply(PIPELINE);
            int perRun = eventsPerRun(api);
            double runsPerSecond = rate / perRun;
            System.out.printf("a run of %s writes %d events: %.2f runs/s for %.0f events/s%n", PIPELINE_NAME, perRun, runsPerSecond, rate);

            // Every repetition but the first would start right after a full GC of the server (the previous one's
            // measure of its live heap); so does the first.
            server.heap(true);
            var scenario = new Scenario(server, api, PIPELINE_NAME, clientThreads);
            var fanOut = new ArrayList<Result>();
            for (int i = 1; i <= repeats; i++) {
                var r = scenario.run("fan-out " + i + "/" + repeats, subscribers, runsPerSecond, warmup, measure);
                System.out.println("  " + line(r));
                fanOut.add(r);
            }
            Result single = null;
            if (!singleMeasure.isZero()) {
                single = scenario.run("single", 1, 1.0, Duration.ofSeconds(5), singleMeasure);
                System.out.println("  " + line(single));
            }
            var medians = medians(fanOut);
            summary(fanOut, medians, single, subscribers);
            write(output, perRun, rate, subscribers, warmup, measure, fanOut, medians, single, loadBefore);
            System.out.println("results: " + output.toAbsolutePath());
        } finally {
            deleteRecursively(home);
        }
        System.exit(0);
    }

    /** Starts one run and counts what it writes to the log, to pace the load by events rather than runs. */
    private static int eventsPerRun(Api api) throws Exception {
        long id = api.start(PIPELINE_NAME);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!api.runStatus(id).equals("succeeded")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the calibration run did not succeed within 30 s");
            }
            Thread.sleep(50);
        }
        Thread.sleep(200); // its last events are sequenced just after the run is seen finished
        return api.export(0, Long.MAX_VALUE, id).size();
    }

    private static String line(Result r) {
        return String.format("%d subscribers: %.0f events/s in the log, %.0f delivered/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                        + "lost %d, duplicated %d, out of order %d; CPU: server %.0f%%, PostgreSQL %.0f%%, client %.0f%%, other processes %.0f%%; "
                        + "%.1f events per server write; %d GC pauses, %.0f ms",
                r.subscribers(), r.logEventsPerSecond(), r.deliveredPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(),
                r.lost(), r.duplicated(), r.outOfOrder(), r.serverCpuPct(), r.postgresCpuPct(), r.clientCpuPct(), r.otherCpuPct(),
                r.eventsPerServerWrite(), r.gcPauses(), r.gcPauseMs());
    }

    /** Each numeric field's median over the repeats (of an even count, the mean of the middle two). */
    private static Map<String, Double> medians(List<Result> results) {
        var out = new LinkedHashMap<String, Double>();
        for (RecordComponent c : Result.class.getRecordComponents()) {
            if (c.getType() == String.class) {
                continue;
            }
            double[] v = results.stream().mapToDouble(r -> number(c, r)).sorted().toArray();
            int n = v.length;
            out.put(c.getName(), n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
        }
        return out;
    }

    private static double number(RecordComponent c, Result r) {
        try {
            return ((Number) c.getAccessor().invoke(r)).doubleValue();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A column of the summary: its heading, the Result field it shows, and how. */
    private record Column(String heading, String field, String format) {}

    private static final List<List<Column>> TABLES = List.of(
            List.of(new Column("events/s", "logEventsPerSecond", "%.0f"), new Column("delivered/s", "deliveredPerSecond", "%.0f"),
                    new Column("p50 ms", "p50Ms", "%.1f"), new Column("p99 ms", "p99Ms", "%.1f"), new Column("max ms", "maxMs", "%.1f"),
                    new Column("lost", "lost", "%.0f"), new Column("duplicated", "duplicated", "%.0f"),
                    new Column("out of order", "outOfOrder", "%.0f")),
            List.of(new Column("sequenced p50", "sequencedP50Ms", "%.1f"), new Column("p99", "sequencedP99Ms", "%.1f"),
                    new Column("to first p50", "hubP50Ms", "%.1f"), new Column("p99", "hubP99Ms", "%.1f"),
                    new Column("first p50", "firstP50Ms", "%.1f"), new Column("p99", "firstP99Ms", "%.1f"),
                    new Column("fan-out p50", "spreadP50Ms", "%.1f"), new Column("p99", "spreadP99Ms", "%.1f")),
            List.of(new Column("server %", "serverCpuPct", "%.0f"), new Column("postgres %", "postgresCpuPct", "%.0f"),
                    new Column("client %", "clientCpuPct", "%.0f"), new Column("others %", "otherCpuPct", "%.0f"),
                    new Column("GC pauses", "gcPauses", "%.0f"), new Column("GC ms", "gcPauseMs", "%.0f"),
                    new Column("heap max MiB", "heapMaxObservedMiB", "%.0f"), new Column("heap live MiB", "heapLiveAfterMiB", "%.0f"),
                    new Column("writes/s", "serverWritesPerSecond", "%.0f")));

    private static void summary(List<Result> fanOut, Map<String, Double> m, Result single, int subscribers) {
        System.out.println();
        System.out.printf("Event fan-out: %d subscribers on one workspace, then 1 subscriber at 1 run/s; latency = arrival at the client - event ts%n",
                subscribers);
        String[] titles = {"Delivery", "Where the time goes, ms: ts -> sequenced (commit, ids given) -> first subscriber -> last subscriber",
                "Resources over the window (CPU in % of one core; 200 % is the whole machine)"};
        for (int t = 0; t < TABLES.size(); t++) {
            var columns = TABLES.get(t);
            System.out.println();
            System.out.println(titles[t]);
            var head = new StringBuilder(String.format("%-8s", ""));
            columns.forEach(c -> head.append(String.format(" %13s", c.heading())));
            System.out.println(head);
            for (var r : fanOut) {
                row(r.scenario().replace("fan-out ", "run "), columns, c -> field(r, c.field()));
            }
            row("median", columns, c -> m.get(c.field()));
            if (single != null) {
                row("1 sub", columns, c -> field(single, c.field()));
            }
        }
        System.out.println("writes/s: the server JVM's write system calls, nearly all of them to the streams.");
        long lost = fanOut.stream().mapToLong(Result::lost).sum() + (single == null ? 0 : single.lost());
        long dup = fanOut.stream().mapToLong(Result::duplicated).sum() + (single == null ? 0 : single.duplicated());
        long disorder = fanOut.stream().mapToLong(Result::outOfOrder).sum() + (single == null ? 0 : single.outOfOrder());
        long tsChecked = fanOut.stream().mapToLong(Result::tsChecked).sum();
        long tsBad = fanOut.stream().mapToLong(Result::tsMismatches).sum();
        System.out.printf("%ntarget: p99 < 50 ms at %d subscribers: %s (median p99 %.1f ms); lost %d, duplicated %d, out of order %d over every run"
                        + "; stream ts = export ts for %d of %d sampled events%n",
                subscribers, m.get("p99Ms") < 50 ? "met" : "MISSED", m.get("p99Ms"), lost, dup, disorder, tsChecked - tsBad, tsChecked);
    }

    private static void row(String label, List<Column> columns, java.util.function.Function<Column, Double> value) {
        var line = new StringBuilder(String.format("%-8s", label));
        columns.forEach(c -> line.append(String.format(" %13s", String.format(c.format(), value.apply(c)))));
        System.out.println(line);
    }

    private static double field(Result r, String name) {
        for (RecordComponent c : Result.class.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return number(c, r);
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    private static void write(Path output, int perRun, double rate, int subscribers, Duration warmup, Duration measure,
                              List<Result> fanOut, Map<String, Double> medians, Result single, String loadBefore)
            throws java.io.IOException {
        var json = new LinkedHashMap<String, Object>();
        json.put("at", Instant.now().toString());
        json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "loadAverageBefore", loadBefore, "loadAverageAfter", loadAverage(),
                "note", "server, embedded PostgreSQL and this client share the machine"));
        json.put("settings", Map.of("subscribers", subscribers, "eventsPerSecondAsked", rate, "eventsPerRun", perRun,
                "warmupSeconds", warmup.toSeconds(), "measureSeconds", measure.toSeconds()));
        json.put("fanOut", fanOut);
        json.put("fanOutMedians", medians);
        json.put("single", single);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(output.toFile(), json);
    }

    /** The machine's 1, 5 and 15 minute load averages: on a shared machine, how busy others kept it. */
    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
