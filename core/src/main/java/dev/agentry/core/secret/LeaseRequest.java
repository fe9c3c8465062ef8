package dev.agentry.core.secret;

import java.time.Duration;
import java.util.Objects;

/**
 * A job's claim on one secret: the lease made from it is good for the one step attempt, for {@code ttl}, once.
 *
 * @param integration the integration that will use the value, or null; a secret stored for one integration
 *                    is only leased to a request naming that integration
 */
public record LeaseRequest(String workspace, String name, long runId, String stepId, Duration ttl, String integration) {
    /** Leases are meant to be exchanged as a job starts: a longer life only widens the window for a stolen token. */
    public static final Duration MAX_TTL = Duration.ofHours(1);

    public LeaseRequest {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidSecret("ttl", "a lease lives more than 0 and at most " + MAX_TTL.toMinutes() + " minutes, got " + ttl);
        }
    }

    public LeaseRequest(String workspace, String name, long runId, String stepId, Duration ttl) {
        this(workspace, name, runId, stepId, ttl, null);
    }
}
