package dev.agentry.agents.provider;

import java.time.Duration;
import java.util.Objects;

/**
 * How a provider adapter talks to its API.
 *
 * @param timeout    the most one attempt may take, from sending the request to the last byte of the reply (a
 *                   streamed reply included); retries get a fresh timeout each
 * @param maxRetries how many times a 429, 5xx, timeout or broken connection is retried before the call fails; the
 *                   SDK waits as the provider's {@code retry-after} says, or backs off exponentially
 * @param streaming  whether replies are streamed (server-sent events) and accumulated; long replies then keep the
 *                   connection busy instead of idle, which proxies and load balancers prefer
 */
public record ProviderSettings(Duration timeout, int maxRetries, boolean streaming) {
    public static final int MOST_RETRIES = 10;

    public ProviderSettings {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (maxRetries < 0 || maxRetries > MOST_RETRIES) {
            throw new IllegalArgumentException("maxRetries must be between 0 and " + MOST_RETRIES + ", not " + maxRetries);
        }
    }

    /** Ten minutes per attempt, two retries, no streaming. */
    public static ProviderSettings defaults() {
        return new ProviderSettings(Duration.ofMinutes(10), 2, false);
    }

    public ProviderSettings withTimeout(Duration timeout) {
        return new ProviderSettings(timeout, maxRetries, streaming);
    }

    public ProviderSettings withMaxRetries(int maxRetries) {
        return new ProviderSettings(timeout, maxRetries, streaming);
    }

    public ProviderSettings withStreaming(boolean streaming) {
        return new ProviderSettings(timeout, maxRetries, streaming);
    }
}
