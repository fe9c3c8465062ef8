package dev.agentry.core.spend;

/**
 * The tokens one model call used, in one shape for every provider.
 *
 * @param input      prompt tokens neither read from nor written to the prompt cache
 * @param output     tokens the model wrote
 * @param cacheRead  prompt tokens served from the provider's prompt cache
 * @param cacheWrite prompt tokens written to the prompt cache
 */
public record Usage(long input, long output, long cacheRead, long cacheWrite) {
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    public Usage plus(Usage other) {
        return new Usage(input + other.input, output + other.output, cacheRead + other.cacheRead, cacheWrite + other.cacheWrite);
    }

    /** All prompt tokens, cached or not. */
    public long prompt() {
        return input + cacheRead + cacheWrite;
    }

    /** The share of prompt tokens read from the cache; 0 when there were none. */
    public double cacheHitRate() {
        long prompt = prompt();
        return prompt == 0 ? 0 : (double) cacheRead / prompt;
    }
}
