package dev.agentry.core.agent;

import java.net.URI;

/**
 * A configured model provider: the API it speaks, where, and with which key. The key is used by the gateway
 * only; agents never see it.
 *
 * @param name    how pipelines and agent kinds refer to it: {@code anthropic}, {@code openai}, {@code ollama} …
 * @param baseUrl the API's base as the official SDKs take it: {@code https://api.anthropic.com},
 *                {@code https://api.openai.com/v1}
 */
public record ProviderEndpoint(String name, Api api, URI baseUrl, String apiKey) {
    public enum Api {
        /** Anthropic Messages: {@code POST {base}/v1/messages}. */
        ANTHROPIC,
        /** OpenAI-compatible Chat Completions: {@code POST {base}/chat/completions}. */
        OPENAI;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    @Override
    public String toString() {
        return "ProviderEndpoint[name=" + name + ", api=" + api + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null || apiKey.isEmpty() ? "none" : "(redacted)") + "]";
    }
}
