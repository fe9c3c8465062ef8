package dev.agentry.core.spend;

/**
 * The gateway's view of spend: asked before every model call, told after every answered one.
 */
public interface Metering {
    /** Whether the scope may call a model now. A refusal pauses the runs the spent budget covers. */
    Admission admit(CallScope scope);

    /**
     * Meters an answered call: its cost from the price table, its prompt stored as a delta on the
     * conversation so far, a {@code spend.recorded} event, and a budget warning or pause when a threshold is crossed.
     *
     * @return the id of the stored call
     */
    long record(MeteredCall call);
}
