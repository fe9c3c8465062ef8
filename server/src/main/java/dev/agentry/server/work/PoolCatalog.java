package dev.agentry.server.work;

import dev.agentry.core.job.PoolRegistrations;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.core.job.RunnerPools;
import dev.agentry.core.pipeline.InvalidDefinition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pools this node dispatches to: the built-in {@code local} pool and the registered ones, each registered
 * manifest turned into its adapter once (again when its registration changes). Registrations are read from
 * the database at most every few seconds, so a pool registered through another node shows up here too.
 */
public final class PoolCatalog implements RunnerPools, AutoCloseable {
    public static final String LOCAL = "local";
    private static final Duration REFRESH = Duration.ofSeconds(5);

    /** Turns a stored manifest into its adapter, and checks a manifest before it is stored. */
    public interface Manifests {
        /** The manifest validated, as the JSON to store; throws {@link InvalidDefinition} naming every problem. */
        String validate(String source);

        RunnerPool adapter(String storedManifest);
    }

    private final RunnerPool local;
    private final int localSlots;
    private final String defaultPool;
    private final PoolRegistrations registrations;
    private final Manifests manifests;
    private final Clock clock;
    private final Map<String, Built> built = new HashMap<>();
    private volatile List<Pool> current = List.of();
    private Instant readAt = Instant.MIN;

    private record Built(PoolRegistrations.Registration registration, RunnerPool adapter) {}

    public PoolCatalog(RunnerPool local, int localSlots, String defaultPool, PoolRegistrations registrations,
                       Manifests manifests, Clock clock) {
        this.local = local;
        this.localSlots = localSlots;
        this.defaultPool = defaultPool;
        this.registrations = registrations;
        this.manifests = manifests;
        this.clock = clock;
    }

    @Override
    public synchronized List<Pool> current() {
        Instant now = clock.instant();
        if (Duration.between(readAt, now).compareTo(REFRESH) >= 0) {
            reload();
            readAt = now;
        }
        return current;
    }

    private void reload() {
        var pools = new ArrayList<Pool>();
        pools.add(new Pool(LOCAL, localSlots, List.of(), LOCAL.equals(defaultPool), local));
        var seen = new java.util.HashSet<String>();
        for (var r : registrations.list()) {
            seen.add(r.name());
            Built b = built.get(r.name());
            if (b == null || !b.registration().equals(r)) {
                if (b != null) {
                    b.adapter().close();
                }
                try {
                    b = new Built(r, manifests.adapter(r.manifest()));
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(PoolCatalog.class).warn("pool '{}' cannot be used: {}", r.name(), e.getMessage());
                    built.remove(r.name());
                    continue;
                }
                built.put(r.name(), b);
            }
            pools.add(new Pool(r.name(), r.slots(), r.labels(), r.name().equals(defaultPool), b.adapter()));
        }
        built.keySet().removeIf(name -> {
            if (!seen.contains(name)) {
                built.get(name).adapter().close();
                return true;
            }
            return false;
        });
        current = List.copyOf(pools);
    }

    /** Registers (or replaces) a pool after validating its manifest; the next look for work uses it. */
    public synchronized PoolRegistrations.Registration register(String name, int slots, List<String> labels, String manifestSource) {
        String manifest = manifests.validate(manifestSource);
        var saved = registrations.save(new PoolRegistrations.Registration(name, "manifest", slots, labels, manifest, null));
        readAt = Instant.MIN;
        return saved;
    }

    public synchronized boolean remove(String name) {
        boolean removed = registrations.remove(name);
        readAt = Instant.MIN;
        return removed;
    }

    public String defaultPool() {
        return defaultPool;
    }

    public List<PoolRegistrations.Registration> registered() {
        return registrations.list();
    }

    public java.util.Optional<PoolRegistrations.Registration> registered(String name) {
        return registrations.find(name);
    }

    public int localSlots() {
        return localSlots;
    }

    @Override
    public synchronized void close() {
        built.values().forEach(b -> b.adapter().close());
        built.clear();
    }
}
