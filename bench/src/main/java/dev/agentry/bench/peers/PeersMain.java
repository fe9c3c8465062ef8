package dev.agentry.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.agentry.bench.BenchResult;
import dev.agentry.postgres.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Runs the chains workload on the peers (db-scheduler, JobRunr), each in its own fresh database on
 * one embedded PostgreSQL that keeps {@code fsync} and {@code synchronous_commit} on.
 *
 * <p>Usage: {@code PeersMain [chains] [all|dbscheduler|jobrunr]}; without arguments the environment
 * variables {@code PEERS_CHAINS} and {@code PEERS_ONLY} are used, else 2000 and all. Prints one
 * {@link BenchResult#line()} per peer, or a FAILED line; exits non-zero if any peer failed. The
 * database lives in a temporary directory that is removed afterwards. Tunables (system properties):
 * {@code peers.timeoutSeconds} (default 300), {@code peers.dbscheduler.threads},
 * {@code peers.dbscheduler.lower}, {@code peers.dbscheduler.upper}, {@code peers.jobrunr.workers},
 * and {@code peers.verbose=true} for a per-step breakdown on stderr.
 */
public final class PeersMain {

    private record Peer(String key, String engine, String database, int poolSize,
                        BiFunction<DataSource, Integer, BenchResult> run) {
    }

    private PeersMain() {
    }

    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        int chains = Integer.parseInt(argOrEnv(args, 0, "PEERS_CHAINS", "2000"));
        String only = argOrEnv(args, 1, "PEERS_ONLY", "all");
        // Pools a little larger than each peer's own concurrency, so neither waits on the pool.
        List<Peer> peers = Stream.of(
                        new Peer("dbscheduler", DbSchedulerChains.ENGINE, "peer_dbscheduler",
                                DbSchedulerChains.THREADS + 8, DbSchedulerChains::run),
                        new Peer("jobrunr", JobRunrChains.ENGINE, "peer_jobrunr",
                                JobRunrChains.WORKERS + 8, JobRunrChains::run))
                .filter(p -> only.equals("all") || only.equals(p.key()))
                .toList();
        if (peers.isEmpty()) {
            System.err.println("unknown peer '" + only + "': use all, dbscheduler or jobrunr");
            System.exit(2);
        }

        Path home = Files.createTempDirectory("agentry-peers-");
        boolean failed;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start(home.resolve("pgdata"), Map.of())) {
            System.out.printf("peers: %d chains x 3 steps on PostgreSQL (fsync on, synchronous_commit on), %d cores%n",
                    chains, Runtime.getRuntime().availableProcessors());
            var results = run(postgres, chains, peers);
            results.forEach(r -> System.out.println(r.line()));
            failed = results.size() < peers.size();
        } finally {
            deleteRecursively(home);
        }
        System.out.flush();
        // Library threads (JobRunr's, db-scheduler's) must not keep the JVM alive after the run.
        System.exit(failed ? 1 : 0);
    }

    /** Runs every peer on {@code postgres}, each in a fresh database; a peer that fails is reported and left out. */
    public static List<BenchResult> run(EmbeddedPostgres postgres, int chains) {
        return run(postgres, chains, List.of(
                new Peer("dbscheduler", DbSchedulerChains.ENGINE, "peer_dbscheduler", DbSchedulerChains.THREADS + 8, DbSchedulerChains::run),
                new Peer("jobrunr", JobRunrChains.ENGINE, "peer_jobrunr", JobRunrChains.WORKERS + 8, JobRunrChains::run)));
    }

    private static List<BenchResult> run(EmbeddedPostgres postgres, int chains, List<Peer> peers) {
        var results = new java.util.ArrayList<BenchResult>();
        for (Peer peer : peers) {
            try {
                createDatabase(postgres, peer.database());
            } catch (SQLException e) {
                System.out.println(String.format("%-12s FAILED: %s", peer.engine(), e.getMessage()));
                continue;
            }
            try {
                // Warm-up passes let the JIT compile this peer's code, as Agentry's do for its own
                // (Bench.WARM_UPS); only the pass after them, on a fresh database, is measured.
                for (int i = 0; i < dev.agentry.bench.Bench.WARM_UPS; i++) {
                    try (HikariDataSource warmUp = pool(postgres, peer)) {
                        peer.run().apply(warmUp, chains);
                    }
                    createDatabase(postgres, peer.database());
                }
                try (HikariDataSource dataSource = pool(postgres, peer)) {
                    results.add(peer.run().apply(dataSource, chains));
                }
            } catch (SQLException | RuntimeException e) {
                System.out.println(String.format("%-12s FAILED: %s", peer.engine(), e.getMessage()));
                e.printStackTrace(System.err);
            }
        }
        return results;
    }

    private static String argOrEnv(String[] args, int index, String variable, String fallback) {
        if (args.length > index) {
            return args[index];
        }
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static void createDatabase(EmbeddedPostgres postgres, String database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
             Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + database);
            statement.execute("create database " + database);
            // Each peer starts from a clean WAL, not in the middle of flushing the previous peer's run.
            statement.execute("checkpoint");
        }
    }

    private static HikariDataSource pool(EmbeddedPostgres postgres, Peer peer) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl(peer.database()));
        config.setPoolName(peer.key());
        config.setMaximumPoolSize(peer.poolSize());
        config.setMinimumIdle(peer.poolSize());
        return new HikariDataSource(config);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
