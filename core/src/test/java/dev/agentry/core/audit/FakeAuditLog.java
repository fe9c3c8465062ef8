package dev.agentry.core.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An audit log in memory, chained like the real one, that can be told to stop recording. */
final class FakeAuditLog implements AuditLog {
    private final List<AuditRecord> records = new ArrayList<>();
    private byte[] head = AuditChain.genesis();
    private RuntimeException unavailable;
    private int failAt = Integer.MAX_VALUE;
    private RuntimeException failure;

    /** From now on every append throws {@code failure}; null to recover. */
    synchronized void failWith(RuntimeException failure) {
        this.unavailable = failure;
    }

    /** Appends succeed until {@code n} more have; the ones after fail. */
    synchronized void failAfter(int n, RuntimeException failure) {
        int allowed = records.size() + n;
        this.unavailable = null;
        this.failAt = allowed;
        this.failure = failure;
    }

    synchronized List<AuditRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public synchronized long append(AuditEntry entry) {
        if (unavailable != null) {
            throw unavailable;
        }
        if (records.size() >= failAt) {
            throw failure;
        }
        long id = records.size() + 1;
        Instant at = Instant.now();
        byte[] hash = AuditChain.hash(head, id, at, entry);
        records.add(new AuditRecord(id, at, entry, AuditChain.hex(head), AuditChain.hex(hash)));
        head = hash;
        return id;
    }

    @Override
    public synchronized List<AuditRecord> list(String workspace, long afterId, int limit) {
        return records.stream().filter(r -> r.entry().workspace().equals(workspace) && r.id() > afterId).limit(limit).toList();
    }

    @Override
    public synchronized Verification verify() {
        return new Verification.Intact(records.size(), AuditChain.hex(head));
    }
}
