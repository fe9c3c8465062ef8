package dev.agentry.core.spend;

import java.time.Duration;
import java.util.List;

/**
 * A model call the provider answered, as the gateway saw it.
 *
 * @param prompt the request as a list of canonical JSON items: first the head (system prompt, tools and
 *               settings), then each message in order. Two calls of one conversation share a prefix of items,
 *               so only the items a call appends need storing.
 * @param reply  the assistant's reply as canonical JSON, or null when a stream ended without one
 * @param status the provider's HTTP status
 */
public record MeteredCall(CallScope scope, String api, String model, Usage usage, Duration latency, int status,
                          List<String> prompt, String reply) {
    public MeteredCall {
        prompt = List.copyOf(prompt);
    }
}
