package dev.agentry.core.audit;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records nothing: for engines assembled without an audit log (tests of other parts, tools). A server always
 * wires the real one; with this, {@link ExternalWrites} still runs every write, only unrecorded.
 */
public final class NoopAuditLog implements AuditLog {
    private final AtomicLong ids = new AtomicLong();

    @Override
    public long append(AuditEntry entry) {
        return ids.incrementAndGet();
    }

    @Override
    public List<AuditRecord> list(String workspace, long afterId, int limit) {
        return List.of();
    }

    @Override
    public Verification verify() {
        throw new AuditUnavailable("this engine keeps no audit log", null);
    }
}
