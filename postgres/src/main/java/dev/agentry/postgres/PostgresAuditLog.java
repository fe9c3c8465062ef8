package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.audit.AuditChain;
import dev.agentry.core.audit.AuditEntry;
import dev.agentry.core.audit.AuditLog;
import dev.agentry.core.audit.AuditRecord;
import dev.agentry.core.audit.AuditUnavailable;
import dev.agentry.core.audit.Verification;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The audit log in PostgreSQL ({@code audit_log}, {@code audit_head}). Each append is its own transaction,
 * committed before {@link #append} returns; appenders on all nodes take turns on the head's row lock, so the
 * chain is one line. The database itself refuses to change or remove an entry (see V8__audit_log.sql).
 */
public final class PostgresAuditLog implements AuditLog {
    /** How many entries {@link #list} returns at most. */
    public static final int MAX_LIST = 1000;
    private static final int VERIFY_BATCH = 1000;

    private final Database db;
    private final Clock clock;
    private final int verifyBatch;
    private final Sql sql = Sql.load("audit_log");

    public PostgresAuditLog(Database db, Clock clock) {
        this(db, clock, VERIFY_BATCH);
    }

    /** With {@code verifyBatch} entries read per round trip when verifying: small in tests, to cross batches. */
    PostgresAuditLog(Database db, Clock clock, int verifyBatch) {
        if (verifyBatch < 1) {
            throw new IllegalArgumentException("verifyBatch must be positive");
        }
        this.db = db;
        this.clock = clock;
        this.verifyBatch = verifyBatch;
    }

    private record Head(long lastId, byte[] hash) {}

    @Override
    public long append(AuditEntry entry) {
        Objects.requireNonNull(entry, "entry");
        try {
            return db.inTransaction(c -> {
                Head head = sql.list(c, "AuditHeadLock", Map.of(), PostgresAuditLog::head).stream().findFirst()
                        .orElseThrow(() -> new IllegalStateException("the audit log has no head row"));
                long id = head.lastId() + 1;
                // PostgreSQL keeps microseconds: hash exactly what is stored, or verify would disagree with append.
                Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
                byte[] hash = AuditChain.hash(head.hash(), id, at, entry);
                try (var ps = sql.prepare(c, "AuditLogAppend", params("id", id, "ts", at, "workspace", entry.workspace(),
                        "action", entry.action(), "actor", entry.actor(), "target", entry.target(),
                        "detail", Json.write(entry.detail()), "run_id", entry.runId(), "step_id", entry.stepId(),
                        "prev_hash", head.hash(), "hash", hash))) {
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("the audit head did not move to entry " + id);
                    }
                }
                return id;
            });
        } catch (RuntimeException e) {
            throw new AuditUnavailable("cannot append to the audit log: " + e.getMessage(), e);
        }
    }

    @Override
    public List<AuditRecord> list(String workspace, long afterId, int limit) {
        Objects.requireNonNull(workspace, "workspace");
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must be 0 or more, got " + afterId);
        }
        if (limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIST + ", got " + limit);
        }
        try {
            return db.read(c -> sql.list(c, "AuditLogList", params("workspace", workspace, "after", afterId, "limit", limit),
                    PostgresAuditLog::record));
        } catch (RuntimeException e) {
            throw new AuditUnavailable("cannot read the audit log: " + e.getMessage(), e);
        }
    }

    @Override
    public Verification verify() {
        try {
            return check();
        } catch (RuntimeException e) {
            throw new AuditUnavailable("cannot read the audit log: " + e.getMessage(), e);
        }
    }

    /** A row as stored, not yet trusted: tampering may have made it something no {@link AuditEntry} could be. */
    private record Stored(long id, Instant at, String workspace, String action, String actor, String target, String detail,
                          Long runId, String stepId, byte[] prevHash, byte[] hash) {}

    /**
     * Walks the chain up to the head as it was when the walk began (entries appended meanwhile are for the next
     * verification), in batches so that a long log is never held in memory or in one long transaction.
     */
    private Verification check() {
        Head head = db.read(c -> sql.list(c, "AuditHeadGet", Map.of(), PostgresAuditLog::head)).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("the audit log has no head row"));
        byte[] previous = AuditChain.genesis();
        long expectedId = 1;
        while (true) {
            long after = expectedId - 1;
            List<Stored> rows = db.read(c -> sql.list(c, "AuditLogChain",
                    params("after", after, "through", head.lastId(), "limit", verifyBatch), PostgresAuditLog::stored));
            for (Stored row : rows) {
                Verification.Broken broken = link(row, expectedId, previous);
                if (broken != null) {
                    return broken;
                }
                previous = row.hash();
                expectedId++;
            }
            if (rows.size() < verifyBatch) {
                break;
            }
        }
        long last = expectedId - 1;
        if (last != head.lastId()) {
            return new Verification.Broken(expectedId, "entries up to " + head.lastId(), last == 0 ? "none" : "entries up to " + last,
                    "the newest " + missing(expectedId, head.lastId()) + ": removed from the log");
        }
        if (!Arrays.equals(previous, head.hash())) {
            return new Verification.Broken(last, AuditChain.hex(head.hash()), AuditChain.hex(previous),
                    "entry " + last + " is not the entry the head recorded: it was rewritten, its hash too");
        }
        Long beyond = db.read(c -> sql.list(c, "AuditLogBeyondHead", Map.of(), rs -> Rows.nullableLong(rs, "id"))).get(0);
        if (beyond != null) {
            return new Verification.Broken(beyond, "no entry after " + last, "entry " + beyond,
                    "entry " + beyond + " lies past the head: it was inserted without going through the log");
        }
        return new Verification.Intact(last, AuditChain.hex(previous));
    }

    /** What is wrong with {@code row} as the chain's next link, or null when it holds. */
    private static Verification.Broken link(Stored row, long expectedId, byte[] previous) {
        if (row.id() != expectedId) {
            return new Verification.Broken(expectedId, "entry " + expectedId, "entry " + row.id(),
                    missing(expectedId, row.id() - 1) + ": removed from the log");
        }
        if (!Arrays.equals(row.prevHash(), previous)) {
            return new Verification.Broken(row.id(), AuditChain.hex(previous), AuditChain.hex(row.prevHash()), row.id() == 1
                    ? "the first entry does not start the chain: its link was changed"
                    : "it does not link to entry " + (row.id() - 1) + ": that entry was rewritten (its hash too) or this link was changed");
        }
        Map<String, String> detail = strings(row.detail());
        if (detail == null) {
            return new Verification.Broken(row.id(), "an object of strings", row.detail(),
                    "its detail is not an object of strings, which no entry is written as: it was changed after it was written");
        }
        byte[] recomputed = AuditChain.hash(row.prevHash(), row.id(), row.at(), row.workspace(), row.action(), row.actor(),
                row.target(), detail, row.runId(), row.stepId());
        if (!Arrays.equals(recomputed, row.hash())) {
            return new Verification.Broken(row.id(), AuditChain.hex(recomputed), AuditChain.hex(row.hash()),
                    "its content does not match its hash: it was changed after it was written");
        }
        return null;
    }

    private static String missing(long from, long to) {
        return from == to ? "entry " + from + " is missing" : "entries " + from + " to " + to + " are missing";
    }

    /** The detail column as written, or null when it is anything but an object of strings. */
    private static Map<String, String> strings(String json) {
        Map<String, Object> object;
        try {
            object = Json.object(json);
        } catch (RuntimeException e) {
            return null;
        }
        var strings = new LinkedHashMap<String, String>();
        for (var e : object.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                return null;
            }
            strings.put(e.getKey(), s);
        }
        return strings;
    }

    private static Head head(ResultSet rs) throws SQLException {
        return new Head(rs.getLong("last_id"), rs.getBytes("hash"));
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getLong("id"), Rows.instant(rs, "ts"), rs.getString("workspace"), rs.getString("action"),
                rs.getString("actor"), rs.getString("target"), rs.getString("detail"), Rows.nullableLong(rs, "run_id"),
                rs.getString("step_id"), rs.getBytes("prev_hash"), rs.getBytes("hash"));
    }

    private static AuditRecord record(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        AuditEntry entry;
        try {
            entry = new AuditEntry(rs.getString("action"), rs.getString("workspace"), rs.getString("actor"),
                    rs.getString("target"), Json.strings(rs.getString("detail")), Rows.nullableLong(rs, "run_id"),
                    rs.getString("step_id"));
        } catch (RuntimeException e) {
            throw new IllegalStateException("audit entry " + id + " is not an entry Agentry writes (" + e.getMessage()
                    + "); `agentry audit verify` tells whether the log was tampered with", e);
        }
        return new AuditRecord(id, Rows.instant(rs, "ts"), entry, AuditChain.hex(rs.getBytes("prev_hash")),
                AuditChain.hex(rs.getBytes("hash")));
    }
}
