package dev.agentry.bench;

import dev.agentry.bench.peers.PeersMain;
import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.Node;
import dev.agentry.core.engine.NodeSettings;
import dev.agentry.core.engine.Signals;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.EmbeddedPostgres;
import dev.agentry.postgres.PostgresEventLog;
import dev.agentry.postgres.PostgresPipelineStore;
import dev.agentry.postgres.PostgresRunStore;
import dev.agentry.postgres.PostgresSignals;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The foundation benchmark: N runs of a 3-step noop pipeline on the embedded PostgreSQL with fsync on,
 * then the same shape (N chains of 3 jobs) on db-scheduler and JobRunr on the same server, then
 * dispatch latency at half of Agentry's peak, idle CPU, and the cost of 10,000 runs parked on approvals.
 *
 * <p>{@code ./mvnw -q install -DskipTests && ./mvnw -q exec:exec -pl bench}, with {@code -Dbench.runs=2000},
 * {@code -Dbench.parked=10000} and {@code -Dbench.peers=false} to change the defaults.
 */
public final class Bench {
    private static final String CHAIN = """
            name: bench-chain
            steps:
              - {id: a, kind: noop}
              - {id: b, kind: noop, needs: [a]}
              - {id: c, kind: noop, needs: [b]}
            """;
    private static final String PARKED = """
            name: bench-parked
            steps:
              - {id: wait, kind: approval}
            """;

    /**
     * Unmeasured passes of the full workload before the measured one, for every engine alike: a cold JIT
     * compiles for several seconds, which would otherwise be most of what a short run measures.
     */
    public static final int WARM_UPS = Integer.getInteger("bench.warmups", 3);

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        int runs = Integer.getInteger("bench.runs", 2000);
        int parked = Integer.getInteger("bench.parked", 10_000);
        boolean peers = !"false".equals(System.getProperty("bench.peers"));
        Path home = Files.createTempDirectory("agentry-bench-");
        // -Dbench.statements=true also prints where PostgreSQL spent its time, per statement.
        boolean statements = Boolean.getBoolean("bench.statements");
        try (var pg = EmbeddedPostgres.start(home.resolve("pg"),
                statements ? Map.of("shared_preload_libraries", "pg_stat_statements") : Map.of())) {
            System.out.printf("bench: %d runs x 3 noop steps, PostgreSQL %s with fsync=on synchronous_commit=on, %d cores, Java %s%n",
                    runs, version(pg), Runtime.getRuntime().availableProcessors(), Runtime.version());
            createDatabase(pg, "agentry_bench");
            String url = pg.jdbcUrl("agentry_bench");
            BenchResult agentry;
            double[] halfLoad;
            double idleCpu;
            String parkedCost;
            try (var world = new World(url, home.resolve("work"))) {
                world.engine.apply("default", CHAIN, null);
                world.engine.apply("default", PARKED, null);
                for (int i = 0; i < WARM_UPS; i++) { // warm-up passes of the same size (JIT, pool, plan caches), as the peers get
                    runChains(world, url, runs);
                }
                checkpoint(url);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long jvm0 = os.getProcessCpuTime();
                long pg0 = postgresCpuNanos(home.resolve("pg"));
                if (statements) {
                    execute(url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                    execute(url, "SELECT pg_stat_statements_reset()");
                }
                agentry = runChains(world, url, runs);
                if (statements) {
                    printStatements(url);
                }
                System.out.printf("cpu during the measured run: JVM %.2f s, PostgreSQL %.2f s, wall %.2f s%n",
                        (os.getProcessCpuTime() - jvm0) / 1e9, (postgresCpuNanos(home.resolve("pg")) - pg0) / 1e9, agentry.seconds());
                halfLoad = halfLoad(world, url, agentry.stepsPerSecond() / 2);
                idleCpu = idleCpu(world, home.resolve("pg"));
                parkedCost = parked(world, url, parked);
            }
            System.out.println(agentry.line());
            var peerResults = peers ? PeersMain.run(pg, runs) : List.<BenchResult>of();
            peerResults.forEach(r -> System.out.println(r.line()));
            double fastest = peerResults.stream().mapToDouble(BenchResult::stepsPerSecond).max().orElse(Double.NaN);
            for (var r : peerResults) {
                System.out.printf("ratio agentry/%s: %.2fx steps/s%n", r.engine(), agentry.stepsPerSecond() / r.stepsPerSecond());
            }
            System.out.printf("ratio agentry/fastest peer: %.2fx (target >= 1.5x)%n", agentry.stepsPerSecond() / fastest);
            System.out.printf("half load (%.0f steps/s offered): dispatch p50 %.1f ms, p99 %.1f ms (target p99 < 20 ms)%n",
                    agentry.stepsPerSecond() / 2, halfLoad[0], halfLoad[1]);
            System.out.printf("idle: %.2f%% of one core for the JVM and PostgreSQL together over 10 s (target < 1%%)%n", idleCpu);
            System.out.println(parkedCost);
        } finally {
            deleteRecursively(home);
        }
        System.exit(0);
    }

    /** One node of Agentry wired as the server wires it, without HTTP. */
    private static final class World implements AutoCloseable {
        final Database db;
        final Engine engine;
        final Node node;
        final PostgresSignals listener;
        final dev.agentry.runners.local.LocalPool localPool;

        World(String url, Path work) {
            db = Database.open(url, 16);
            var clock = Clock.systemUTC();
            var signals = new Signals();
            var pipelines = new PostgresPipelineStore(db, clock);
            var runs = new PostgresRunStore(db, pipelines, signals, clock);
            var repositories = new dev.agentry.postgres.PostgresRepositories(db, clock);
            engine = new Engine(pipelines, runs, repositories, clock, new SecureRandom());
            listener = new PostgresSignals(db, signals).start();
            localPool = new dev.agentry.runners.local.LocalPool(work, 256, 64 * 1024, clock);
            var integrations = new dev.agentry.core.engine.Integrations(dev.agentry.core.job.RunnerPools.fixed(
                    new dev.agentry.core.job.RunnerPools.Pool("local", 256, List.of(), true, localPool)), repositories,
                    (ws, name) -> java.util.Optional.empty(), dev.agentry.core.forge.Forges.none());
            node = new Node(new NodeSettings("bench", 256, Duration.ofSeconds(30), Duration.ofSeconds(5), work, 64 * 1024, 1 << 20),
                    engine, runs, pipelines, new PostgresEventLog(db, signals, clock), signals, integrations, clock).start();
        }

        @Override
        public void close() {
            node.stop(Duration.ofSeconds(5));
            localPool.close();
            listener.close();
            db.close();
        }
    }

    private static BenchResult runChains(World world, String url, int count) throws Exception {
        var inputs = Collections.nCopies(count, Map.<String, String>of());
        var t0 = java.time.Instant.now();
        List<Long> ids = world.engine.startBatch("default", "bench-chain", inputs);
        waitFinished(url, ids.get(0), ids.get(ids.size() - 1), count);
        // The end is when the last run finished as recorded, not when this loop noticed it.
        double seconds = Duration.between(t0, lastFinished(url, ids)).toNanos() / 1e9;
        double[] run = percentiles(url, """
                SELECT extract(epoch FROM finished_at - created_at) * 1000 FROM run WHERE id BETWEEN ? AND ?""", ids);
        double[] dispatch = percentiles(url, """
                SELECT extract(epoch FROM a.started_at - s.ready_at) * 1000
                FROM step_attempt a JOIN step s USING (run_id, step_id) WHERE a.run_id BETWEEN ? AND ?""", ids);
        return new BenchResult("agentry", count, 3, seconds, run[0], run[1], dispatch[0], dispatch[1]);
    }

    private static java.time.Instant lastFinished(String url, List<Long> ids) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             var ps = c.prepareStatement("SELECT max(finished_at) FROM run WHERE id BETWEEN ? AND ?")) {
            ps.setLong(1, ids.get(0));
            ps.setLong(2, ids.get(ids.size() - 1));
            var rs = ps.executeQuery();
            rs.next();
            return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }

    /** Offers {@code stepsPerSecond} for 5 s as small batches every 10 ms; returns dispatch p50/p99. */
    private static double[] halfLoad(World world, String url, double stepsPerSecond) throws Exception {
        double runsPerTick = stepsPerSecond / 3 / 100;
        var ids = new ArrayList<Long>();
        double owed = 0;
        long start = System.nanoTime();
        for (int tick = 0; tick < 500; tick++) {
            owed += runsPerTick;
            int now = (int) owed;
            owed -= now;
            if (now > 0) {
                ids.addAll(world.engine.startBatch("default", "bench-chain", Collections.nCopies(now, Map.of())));
            }
            long next = start + (tick + 1) * 10_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
        waitFinished(url, ids.get(0), ids.get(ids.size() - 1), ids.size());
        return percentiles(url, """
                SELECT extract(epoch FROM a.started_at - s.ready_at) * 1000
                FROM step_attempt a JOIN step s USING (run_id, step_id) WHERE a.run_id BETWEEN ? AND ?""", ids);
    }

    /** CPU used by this JVM and every PostgreSQL process over 10 s of nothing to do, in % of one core. */
    private static double idleCpu(World world, Path pgData) throws Exception {
        Thread.sleep(3_000); // let the last batch's aftermath settle
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long jvm0 = os.getProcessCpuTime();
        long pg0 = postgresCpuNanos(pgData);
        long t0 = System.nanoTime();
        Thread.sleep(10_000);
        long elapsed = System.nanoTime() - t0;
        long used = (os.getProcessCpuTime() - jvm0) + (postgresCpuNanos(pgData) - pg0);
        return 100.0 * used / elapsed;
    }

    private static long postgresCpuNanos(Path pgData) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        var all = new ArrayList<ProcessHandle>();
        ProcessHandle.of(pid).ifPresent(p -> {
            all.add(p);
            all.addAll(p.descendants().toList());
        });
        long ticks = 0;
        for (var p : all) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (java.io.IOException gone) {
                // a backend that exited meanwhile
            }
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    private static String parked(World world, String url, int count) throws Exception {
        System.gc();
        long heap0 = usedHeap();
        int threads0 = Thread.activeCount();
        var ids = new ArrayList<Long>();
        for (int i = 0; i < count; i += 1000) {
            ids.addAll(world.engine.startBatch("default", "bench-parked", Collections.nCopies(Math.min(1000, count - i), Map.of())));
        }
        try (Connection c = DriverManager.getConnection(url)) {
            while (true) {
                try (var ps = c.prepareStatement("SELECT count(*) FROM run WHERE id BETWEEN ? AND ? AND status = 'needs-you'")) {
                    ps.setLong(1, ids.get(0));
                    ps.setLong(2, ids.get(ids.size() - 1));
                    var rs = ps.executeQuery();
                    rs.next();
                    if (rs.getInt(1) == ids.size()) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
        }
        System.gc();
        Thread.sleep(200);
        System.gc();
        long heap1 = usedHeap();
        return String.format("parked: %d runs waiting on approvals: heap %+.1f MiB (%.1f -> %.1f MiB used), threads %d -> %d, in flight on the node: %d",
                ids.size(), (heap1 - heap0) / 1048576.0, heap0 / 1048576.0, heap1 / 1048576.0, threads0, Thread.activeCount(),
                world.node.inFlight());
    }

    private static long usedHeap() {
        var rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Polls gently (every 100 ms) so that watching costs the database next to nothing. */
    private static void waitFinished(String url, long first, long last, int count) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < deadline) {
                try (var ps = c.prepareStatement("SELECT count(*) FROM run WHERE id BETWEEN ? AND ? AND status = 'succeeded'")) {
                    ps.setLong(1, first);
                    ps.setLong(2, last);
                    var rs = ps.executeQuery();
                    rs.next();
                    if (rs.getInt(1) >= count) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("runs did not finish within 5 minutes");
    }

    private static double[] percentiles(String url, String select, List<Long> ids) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             var ps = c.prepareStatement("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.99) WITHIN GROUP (ORDER BY v) FROM ("
                     + select + ") AS t(v)")) {
            ps.setLong(1, ids.get(0));
            ps.setLong(2, ids.get(ids.size() - 1));
            var rs = ps.executeQuery();
            rs.next();
            return new double[] {rs.getDouble(1), rs.getDouble(2)};
        }
    }

    private static void checkpoint(String url) throws SQLException {
        execute(url, "CHECKPOINT");
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void printStatements(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement();
             var rs = s.executeQuery("""
                     SELECT calls, round(total_exec_time::numeric, 1) AS ms, round((total_exec_time / calls)::numeric, 3) AS per_call,
                            rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
                     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12""")) {
            System.out.println("statements by PostgreSQL time during the measured run:");
            while (rs.next()) {
                System.out.printf("  %7d calls %9.1f ms %8.3f ms/call %8d rows  %s%n", rs.getLong(1), rs.getDouble(2),
                        rs.getDouble(3), rs.getLong(4), rs.getString(5));
            }
        }
    }

    private static void createDatabase(EmbeddedPostgres pg, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    private static String version(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement(); var rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
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
