package dev.agentry.agents.provider;

/** Anthropic Messages, one JSON reply per call. */
class AnthropicProviderTest extends AnthropicProviderContract {
    @Override
    boolean streaming() {
        return false;
    }
}
