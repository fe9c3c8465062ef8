package dev.agentry.postgres.vault;

import java.util.Objects;
import java.util.Optional;

/**
 * The master keys a node holds: {@code current} wraps every new data key; {@code previous}, during a rotation,
 * still unwraps the data keys not yet re-wrapped. A stored data key names its master key by id, so either reads.
 */
public record MasterKeys(MasterKey current, MasterKey previous) {
    public MasterKeys {
        Objects.requireNonNull(current, "current");
        if (previous != null && previous.equals(current)) {
            previous = null;
        }
    }

    public static MasterKeys of(MasterKey current) {
        return new MasterKeys(current, null);
    }

    /** The keys once {@code next} is current: the current one becomes the previous. */
    public MasterKeys rotatedTo(MasterKey next) {
        return new MasterKeys(next, current);
    }

    /** Only the current key: the previous one is dropped. */
    public MasterKeys withoutPrevious() {
        return new MasterKeys(current, null);
    }

    public Optional<MasterKey> find(String id) {
        if (current.id().equals(id)) {
            return Optional.of(current);
        }
        return previous != null && previous.id().equals(id) ? Optional.of(previous) : Optional.empty();
    }

    /** The ids held, for a message: "mk-1a2b3c4d5e6f (current), mk-... (previous)". */
    public String describe() {
        return current.id() + " (current)" + (previous == null ? "" : ", " + previous.id() + " (previous)");
    }
}
