package dev.agentry.core.secret;

import java.time.Instant;

/**
 * A short-lived, single-use handle on one secret: the job exchanges {@code token} once for the value. Only a hash
 * of the token is stored, so the token exists in the job's hands and nowhere else.
 */
public record Lease(long id, String token, Instant expiresAt) {
    /** Leases get printed by accident (a debug line, an exception): never print the token. */
    @Override
    public String toString() {
        return "Lease[id=" + id + ", expiresAt=" + expiresAt + "]";
    }
}
