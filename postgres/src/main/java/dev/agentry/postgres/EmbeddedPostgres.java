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
 *
 * <p>It listens on 127.0.0.1 only and asks for a password (scram-sha-256), kept next to the data directory
 * in a file only its owner can read: other users of the machine cannot read or change Agentry's data.
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
    private final String password;
    private final FileChannel lockChannel;
    private final FileLock ownership;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, String password,
                             FileChannel lockChannel, FileLock ownership) {
        this.server = server;
        this.password = password;
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
            String password = password(dataDirectory.resolveSibling(dataDirectory.getFileName() + ".password"));
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setConnectConfig("password", password)
                    .setPGStartupWait(Duration.ofSeconds(60));
            settings.forEach(builder::setServerConfig);
            var server = builder.start();
            var embedded = new EmbeddedPostgres(server, password, channel, lock);
            embedded.requirePassword(dataDirectory);
            embedded.verifyDurability(settings);
            return embedded;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /** The URL of the {@code postgres} database, with the credentials in it: keep it out of messages. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The URL of another database on this server, with the credentials in it. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?user=postgres&password=" + password;
    }

    /** The generated password, created on first start and reused after; a file readable only by its owner. */
    private static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        String password = java.util.HexFormat.of().formatHex(random);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, password);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    /**
     * initdb sets up "trust" authentication; replace it, on every start (so that a crash half-way through
     * is repaired), with password authentication for every connection, and set the password.
     */
    private void requirePassword(Path dataDirectory) throws IOException {
        String hba = """
                # Written by Agentry: every connection needs the password in ../postgres.password.
                local all all scram-sha-256
                host  all all 127.0.0.1/32 scram-sha-256
                host  all all ::1/128 scram-sha-256
                """;
        Path hbaFile = dataDirectory.resolve("pg_hba.conf");
        try (var connection = server.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            statement.execute("ALTER USER postgres PASSWORD '" + password + "'"); // hex only: nothing to escape
            if (!Files.readString(hbaFile).equals(hba)) {
                Files.writeString(hbaFile, hba);
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not secure the embedded PostgreSQL: " + e.getMessage(), e);
        }
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
