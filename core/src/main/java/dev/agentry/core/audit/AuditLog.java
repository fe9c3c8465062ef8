package dev.agentry.core.audit;

import java.util.List;

/**
 * The append-only, hash-chained record of every write Agentry makes to the world outside it. Writers do not
 * call {@link #append} themselves: they go through {@link ExternalWrites}, which appends first and writes after.
 */
public interface AuditLog {
    /**
     * Records {@code entry} as the chain's next link and returns its id once it is durably stored (committed),
     * so that whatever happens next, the entry is there.
     *
     * @throws AuditUnavailable when the entry cannot be recorded; nothing was appended that the caller may rely on
     */
    long append(AuditEntry entry);

    /**
     * A workspace's entries with an id above {@code afterId}, oldest first, at most {@code limit} of them.
     *
     * @throws AuditUnavailable when the log cannot be read
     */
    List<AuditRecord> list(String workspace, long afterId, int limit);

    /**
     * Reads the whole chain, oldest first, recomputes every hash and checks every link.
     *
     * @throws AuditUnavailable when the log cannot be read (which says nothing about whether it is intact)
     */
    Verification verify();
}
