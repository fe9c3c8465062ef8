package dev.agentry.postgres;

import dev.agentry.core.engine.RunStore;
import dev.agentry.core.engine.Signals;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other nodes' commits, heard through LISTEN on one dedicated connection and raised on this node's
 * {@link Signals}. If the connection drops it reconnects; nodes poll slowly as well, so a missed
 * notification delays work and never loses it.
 */
public final class PostgresSignals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresSignals.class);

    private final Database db;
    private final Signals signals;
    private volatile boolean closed;
    private final Thread thread;

    public PostgresSignals(Database db, Signals signals) {
        this.db = db;
        this.signals = signals;
        this.thread = Thread.ofPlatform().daemon().name("agentry-listen").unstarted(this::listen);
    }

    public PostgresSignals start() {
        thread.start();
        return this;
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(200);
        while (!closed) {
            try (Connection c = db.dedicatedConnection()) {
                try (var s = c.createStatement()) {
                    s.execute("LISTEN agentry");
                }
                backoff = Duration.ofMillis(200);
                // Anything committed while we were not listening: wake everything once.
                for (var signal : RunStore.Signal.values()) {
                    signals.raise(signal);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var notifications = pg.getNotifications(10_000);
                    if (notifications == null) {
                        continue;
                    }
                    for (var n : notifications) {
                        if (n.getParameter().startsWith("events:")) {
                            signals.raise(RunStore.Signal.EVENTS_SEQUENCED); // the hub reads the new ids from the log
                            continue;
                        }
                        try {
                            signals.raise(RunStore.Signal.valueOf(n.getParameter()));
                        } catch (IllegalArgumentException unknown) {
                            log.debug("ignoring notification {}", n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                log.warn("lost the LISTEN connection ({}); reconnecting in {} ms", e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
