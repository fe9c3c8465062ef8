package dev.agentry.server.work;

import dev.agentry.core.repo.SecretVault;
import dev.agentry.core.secret.Redactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each workspace's redactor, kept for a few seconds: the gateway asks on every model call, and reading a
 * workspace's secrets means decrypting each of them. A secret stored a moment ago is redacted within the TTL.
 */
public final class Redactors implements Function<String, Redactor> {
    private record Kept(Redactor redactor, Instant until) {}

    private final SecretVault secrets;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<String, Kept> kept = new ConcurrentHashMap<>();

    public Redactors(SecretVault secrets, Duration ttl, Clock clock) {
        this.secrets = secrets;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Redactor apply(String workspace) {
        Instant now = clock.instant();
        Kept k = kept.get(workspace);
        if (k == null || !k.until().isAfter(now)) {
            k = new Kept(secrets.redactor(workspace), now.plus(ttl));
            kept.put(workspace, k);
        }
        return k.redactor();
    }
}
