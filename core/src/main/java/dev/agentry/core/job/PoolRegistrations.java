package dev.agentry.core.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The runner pools registered with this deployment, besides the built-in local one. */
public interface PoolRegistrations {

    /**
     * A registered pool.
     *
     * @param kind     {@code manifest} (any scheduler, including Agentry's own runner, through a manifest)
     * @param manifest the validated manifest as JSON
     */
    record Registration(String name, String kind, int slots, List<String> labels, String manifest, Instant createdAt) {
        public Registration {
            labels = List.copyOf(labels);
        }
    }

    /** Registers the pool, or replaces the registration of that name. */
    Registration save(Registration registration);

    Optional<Registration> find(String name);

    List<Registration> list();

    boolean remove(String name);
}
