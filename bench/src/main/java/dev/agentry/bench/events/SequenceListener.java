package dev.agentry.bench.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Hears when events get their ids, without touching the server: the sequencer's commit notifies
 * {@code agentry} with {@code events:<last id>} (event.sql, EventSequence), and this listens on the
 * server's own database for it. Each window event's latency then splits in two: its {@code ts} to the
 * notification (the change's commit and the sequencing), and the notification to the first subscriber's
 * receipt (the hub's read of the log and the first write to a stream).
 */
public final class SequenceListener implements AutoCloseable {
    /** The last id of each notification, ascending, and when it was heard (epoch microseconds). */
    final Longs lastIds = new Longs();
    final Longs heardMicros = new Longs();
    private final Connection connection;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile SQLException failure;

    public SequenceListener(String jdbcUrl) throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl);
        try (var s = connection.createStatement()) {
            s.execute("LISTEN agentry");
        }
        thread = Thread.ofPlatform().daemon().name("bench-listen").start(this::listen);
    }

    private void listen() {
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            while (!stopping) {
                PGNotification[] notifications = pg.getNotifications(200);
                if (notifications == null) {
                    continue;
                }
                Instant now = Instant.now();
                for (var n : notifications) {
                    if (n.getParameter().startsWith("events:")) {
                        lastIds.add(Long.parseLong(n.getParameter().substring("events:".length())));
                        heardMicros.add(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
                    }
                }
            }
        } catch (SQLException e) {
            if (!stopping) {
                failure = e;
            }
        }
    }

    /** When event {@code id} was announced sequenced, in epoch microseconds, or -1 if not heard. */
    long heardFor(long id, int[] cursor) {
        // ids are asked for in ascending order: walk on from where the last answer was
        while (cursor[0] < lastIds.size() && lastIds.get(cursor[0]) < id) {
            cursor[0]++;
        }
        return cursor[0] < lastIds.size() ? heardMicros.get(cursor[0]) : -1;
    }

    SQLException failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException, SQLException {
        stopping = true;
        thread.join(5_000);
        connection.close();
    }
}
