package dev.agentry.agents.gateway;

import dev.agentry.core.spend.Admission;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.Metering;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Metering in memory: admits everything until told to refuse, and keeps every recorded call. */
public final class FakeMetering implements Metering {
    private final List<MeteredCall> recorded = new CopyOnWriteArrayList<>();
    private final AtomicInteger admissions = new AtomicInteger();
    private volatile String refusal;

    /** From now on every call is refused for this reason; null admits again. */
    public FakeMetering refuse(String reason) {
        this.refusal = reason;
        return this;
    }

    @Override
    public Admission admit(CallScope scope) {
        admissions.incrementAndGet();
        String reason = refusal;
        return reason == null ? Admission.ADMITTED : new Admission.Refused(reason);
    }

    @Override
    public long record(MeteredCall call) {
        recorded.add(call);
        return recorded.size();
    }

    public List<MeteredCall> recorded() {
        return List.copyOf(recorded);
    }

    public int admissions() {
        return admissions.get();
    }
}
