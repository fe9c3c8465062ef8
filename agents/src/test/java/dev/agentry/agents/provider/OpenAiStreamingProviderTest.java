package dev.agentry.agents.provider;

/** OpenAI Chat Completions, replies streamed as chunks and accumulated. */
class OpenAiStreamingProviderTest extends OpenAiProviderContract {
    @Override
    boolean streaming() {
        return true;
    }
}
