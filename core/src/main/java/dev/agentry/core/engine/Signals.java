package dev.agentry.core.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's switchboard for {@link RunStore.Signal}s: raised by the store after its own commits (at once)
 * and by the LISTEN connection for other nodes' commits. Listeners must be quick; they only wake loops.
 */
public final class Signals {
    private final Map<RunStore.Signal, List<Runnable>> listeners = new ConcurrentHashMap<>();

    public void subscribe(RunStore.Signal signal, Runnable listener) {
        listeners.computeIfAbsent(signal, s -> new CopyOnWriteArrayList<>()).add(listener);
    }

    public void raise(RunStore.Signal signal) {
        listeners.getOrDefault(signal, List.of()).forEach(Runnable::run);
    }
}
