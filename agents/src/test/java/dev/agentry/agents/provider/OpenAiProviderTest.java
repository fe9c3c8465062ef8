package dev.agentry.agents.provider;

/** OpenAI Chat Completions, one JSON reply per call. */
class OpenAiProviderTest extends OpenAiProviderContract {
    @Override
    boolean streaming() {
        return false;
    }
}
