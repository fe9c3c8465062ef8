package dev.agentry.core.trigger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The webhook triggers of workspaces, and the deliveries each has turned into runs. */
public interface TriggerStore {
    /** Saves the trigger, or replaces the one of the same name in its workspace (keeping when it was created). */
    Trigger save(Trigger trigger);

    Optional<Trigger> get(String workspace, String name);

    List<Trigger> list(String workspace);

    /** Removes the trigger and the record of its deliveries; false when there was none. */
    boolean delete(String workspace, String name);

    /** The run a delivery started, if this delivery was seen before (and its record not yet pruned). */
    Optional<Long> deliveredRun(String workspace, String trigger, String deliveryId);

    /**
     * Records that a delivery started (or found) a run; false when it was already recorded, by a redelivery that
     * arrived at the same moment.
     */
    boolean recordDelivery(String workspace, String trigger, String deliveryId, long runId, Instant receivedAt);

    /** Forgets up to {@code limit} deliveries received before {@code before}; returns how many. */
    int pruneDeliveries(Instant before, int limit);
}
