package dev.agentry.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool to Agentry's database, migrated on open. Transactions go through
 * {@link #inTransaction}, which retries the ones PostgreSQL aborted to break a deadlock or a
 * serialization conflict (both are safe to run again from the start).
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final String url;
    private final String password;

    private Database(HikariDataSource pool, String url, String password) {
        this.pool = pool;
        this.url = url;
        this.password = password;
    }

    /** Opens a pool on {@code jdbcUrl} and brings the schema up to date. */
    public static Database open(String jdbcUrl, int poolSize) {
        var config = new HikariConfig();
        // A password in the URL would be echoed by the driver's metadata (Flyway logs it): hand it over apart.
        var password = java.util.regex.Pattern.compile("([?&])password=([^&]*)&?").matcher(jdbcUrl);
        if (password.find()) {
            config.setPassword(java.net.URLDecoder.decode(password.group(2), java.nio.charset.StandardCharsets.UTF_8));
            jdbcUrl = (jdbcUrl.substring(0, password.start()) + password.group(1) + jdbcUrl.substring(password.end()))
                    .replaceAll("[?&]$", "");
        }
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setPoolName("agentry");
        config.setAutoCommit(true);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(30_000);
        var pool = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .loggers("slf4j")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, jdbcUrl, config.getPassword());
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Opens a connection outside the pool (for LISTEN, which holds its connection for good). */
    Connection dedicatedConnection() throws SQLException {
        var properties = new java.util.Properties();
        if (password != null) {
            properties.setProperty("password", password);
        }
        return java.sql.DriverManager.getConnection(url, properties);
    }

    @FunctionalInterface
    public interface TransactionWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    public <T> T inTransaction(TransactionWork<T> work) {
        return inTransaction(Connection.TRANSACTION_READ_COMMITTED, work);
    }

    /**
     * A transaction in which every statement sees the one snapshot taken by its first: for work that must
     * read what it writes against a consistent state. Serialization failures run it again.
     */
    public <T> T inRepeatableRead(TransactionWork<T> work) {
        return inTransaction(Connection.TRANSACTION_REPEATABLE_READ, work);
    }

    private <T> T inTransaction(int isolation, TransactionWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                    c.setTransactionIsolation(isolation);
                }
                try {
                    T result = work.apply(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollback(c);
                    throw e;
                } finally {
                    if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    }
                    c.setAutoCommit(true);
                }
            } catch (SQLException | RuntimeException e) {
                if (retryable(e) && attempt < 5) {
                    log.debug("transaction must run again: {}", e.getMessage());
                    continue;
                }
                throw e instanceof SQLException sql ? new DatabaseException(sql) : (RuntimeException) e;
            }
        }
    }

    /** Deadlocks and serialization failures (PostgreSQL rolled back) and rows changed under us: safe to rerun. */
    private static boolean retryable(Exception e) {
        if (e instanceof ConcurrentChange) {
            return true;
        }
        Throwable cause = e instanceof DatabaseException ? e.getCause() : e;
        String state = cause instanceof SQLException sql ? sql.getSQLState() : null;
        return "40P01".equals(state) || "40001".equals(state);
    }

    /**
     * Runs work that is a single statement in autocommit mode: the statement is its own transaction,
     * which saves the BEGIN and COMMIT round trips of {@link #inTransaction}.
     */
    public <T> T singleStatement(TransactionWork<T> work) {
        return read(work);
    }

    public <T> T read(TransactionWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** Read-only work that must see one snapshot of the database across several statements. */
    public <T> T readConsistent(TransactionWork<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return work.apply(c);
            } finally {
                rollback(c);
                c.setReadOnly(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool will replace it
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Rows a transaction meant to change were changed by another one after it read them: the transaction
     * is rolled back and run again from the start, like one PostgreSQL aborted for a serialization conflict.
     */
    public static final class ConcurrentChange extends RuntimeException {
        public ConcurrentChange(String message) {
            super(message);
        }
    }

    /** A database failure, carrying PostgreSQL's SQLSTATE. */
    public static final class DatabaseException extends RuntimeException {
        DatabaseException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        public String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }
    }
}
