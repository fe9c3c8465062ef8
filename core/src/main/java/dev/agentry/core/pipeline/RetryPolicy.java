package dev.agentry.core.pipeline;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often a step is attempted and how long to wait between attempts: exponential backoff
 * ({@code backoff * 2^(n-1)}, capped at {@code maxBackoff}) with jitter (a random wait between half and all of it) so that many runs
 * failing together do not retry in lockstep.
 */
public record RetryPolicy(int maxAttempts, Duration backoff, Duration maxBackoff) {
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofMinutes(5));

    /** The wait before attempt number {@code failures + 1}, after {@code failures} failed attempts. */
    public Duration delayAfter(int failures, RandomGenerator random) {
        double exp = backoff.toMillis() * Math.pow(2, Math.max(0, failures - 1));
        long cap = (long) Math.min(exp, maxBackoff.toMillis());
        // A random wait between half and all of the capped value: never much sooner than asked, and spread out.
        long half = cap / 2;
        return Duration.ofMillis(half + (cap - half <= 0 ? 0 : random.nextLong(cap - half + 1)));
    }
}
