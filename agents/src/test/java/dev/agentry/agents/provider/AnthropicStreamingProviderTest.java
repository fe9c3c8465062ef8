package dev.agentry.agents.provider;

/** Anthropic Messages, replies streamed as server-sent events and accumulated. */
class AnthropicStreamingProviderTest extends AnthropicProviderContract {
    @Override
    boolean streaming() {
        return true;
    }
}
