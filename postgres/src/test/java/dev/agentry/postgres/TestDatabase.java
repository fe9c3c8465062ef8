package dev.agentry.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL per test JVM, and a fresh database for each caller. A database that cannot be
 * started fails the test; nothing is skipped.
 *
 * <p>Tests trade durability for speed here (fsync off); the durability tests start their own server
 * processes with the product's settings.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("agentry-test-pg");
                server = EmbeddedPostgres.start(dir.resolve("data"),
                        Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off"));
                Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return server;
    }

    /** A JDBC URL to a new, empty database. */
    public static String freshUrl() {
        var pg = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (var c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not create test database: " + e.getMessage(), e);
        }
        return pg.jdbcUrl(name);
    }

    /** A migrated pool on a new, empty database. */
    public static Database fresh() {
        return Database.open(freshUrl(), 8);
    }
}
