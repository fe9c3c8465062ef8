package dev.agentry.core.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Attention items: things a person should look at, raised by Agentry and resolved by it or by a person.
 * Every change writes its events ({@code attention.raised}, {@code attention.resolved},
 * {@code liveness.changed}) in the same transaction.
 */
public interface AttentionStore {
    /** Items of a workspace ({@code null}: every workspace), newest first; status and run are optional filters. */
    List<Views.AttentionView> list(String workspace, String status, Long run, int limit);

    Optional<Views.AttentionView> get(String workspace, long id);

    /** Resolves an open item; an item already resolved is returned as it is. Empty if there is no such item. */
    Optional<Views.AttentionView> resolve(String workspace, long id, String by, String note);

    /**
     * Compares running attempts' last heartbeat with {@code silentBefore}: marks silent ones stalled (a
     * {@code liveness.changed} event and a {@code stalled} item), marks stalled ones that heartbeat again
     * alive (their open item resolves), and resolves stalled items of attempts that have ended. Returns
     * how many things changed.
     */
    int checkLiveness(Instant silentBefore);
}
