package dev.agentry.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server that Agentry runs for itself when no external database is configured.
 *
 * <p>It keeps its data in a persistent directory, runs with {@code fsync} and {@code synchronous_commit}
 * on (the embedding library turns both off, which is fine for tests and wrong for a product), and
 * recovers from an earlier process that was killed: a postmaster orphaned by a SIGKILLed server is
 * stopped and a stale {@code postmaster.pid} is removed before the new start.
 *
 * <p>One data directory belongs to one Agentry process at a time; a second one fails fast with a
 * clear message instead of stopping the first one's database.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

    /** Settings that make the embedded server durable and sized for a single machine. */
    private static final Map<String, String> DURABLE_SETTINGS = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on",
            "listen_addresses", "127.0.0.1",
            "max_connections", "200",
            "shared_buffers", "256MB",
            "wal_buffers", "16MB",
            "max_wal_size", "2GB");

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final FileChannel lockChannel;
    private final FileLock ownership;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server,
                             FileChannel lockChannel, FileLock ownership) {
        this.server = server;
        this.lockChannel = lockChannel;
        this.ownership = ownership;
    }

    /**
     * Starts (initialising on first use) the server whose data lives in {@code dataDirectory}.
     *
     * @param extraSettings PostgreSQL settings layered over the durable defaults (tests use this to
     *                      trade durability for speed; the product never does)
     */
    public static EmbeddedPostgres start(Path dataDirectory, Map<String, String> extraSettings) {
        try {
            Files.createDirectories(dataDirectory);
            FileChannel channel = FileChannel.open(dataDirectory.resolveSibling(dataDirectory.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("the embedded database in " + dataDirectory
                        + " is in use by another Agentry process; stop it or point AGENTRY_HOME elsewhere");
            }
            // We hold the directory now, so any postmaster still running on it was orphaned by a killed server.
            stopOrphanedPostmaster(dataDirectory);
            var settings = new java.util.HashMap<>(DURABLE_SETTINGS);
            settings.putAll(extraSettings);
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60));
            settings.forEach(builder::setServerConfig);
            var server = builder.start();
            var embedded = new EmbeddedPostgres(server, channel, lock);
            embedded.verifyDurability(settings);
            return embedded;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    public int port() {
        return server.getPort();
    }

    private void verifyDurability(Map<String, String> settings) {
        try (var connection = server.getPostgresDatabase().getConnection();
             var statement = connection.createStatement()) {
            for (String name : List.of("fsync", "synchronous_commit")) {
                try (var rs = statement.executeQuery("SHOW " + name)) {
                    rs.next();
                    String actual = rs.getString(1);
                    if (!actual.equals(settings.get(name))) {
                        throw new IllegalStateException("embedded PostgreSQL runs with " + name + "=" + actual
                                + " but " + settings.get(name) + " was asked for");
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not read the embedded PostgreSQL settings: " + e.getMessage(), e);
        }
    }

    static void stopOrphanedPostmaster(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream().findFirst()
                .map(String::trim)
                .filter(line -> line.matches("\\d+"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (postmaster.isPresent()) {
            log.warn("stopping PostgreSQL (pid {}) left running by an earlier Agentry process", postmaster.get().pid());
            postmaster.get().destroy(); // SIGTERM: "smart" shutdown would wait for clients, but they are gone.
            try {
                postmaster.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                postmaster.get().destroyForcibly();
            }
        }
        // PostgreSQL ignores a stale pid file only when the pid is unused; a reused pid would block the start.
        Files.deleteIfExists(pidFile);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            log.warn("could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
        } finally {
            try {
                ownership.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }
}
