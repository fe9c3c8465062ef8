package dev.agentry.agents.provider;

import dev.agentry.agents.model.ModelProvider;
import dev.agentry.core.agent.ProviderEndpoint;
import java.util.Objects;

/** Builds the adapter for an API: the one place that knows which class speaks which {@link ProviderEndpoint.Api}. */
public final class Providers {
    private Providers() {}

    /**
     * @param baseUrl as the official SDK takes it: {@code https://api.anthropic.com} for Anthropic,
     *                {@code https://api.openai.com/v1} for OpenAI
     */
    public static ModelProvider create(ProviderEndpoint.Api api, String baseUrl, String apiKey,
                                       ProviderSettings settings) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(settings, "settings");
        return switch (api) {
            case ANTHROPIC -> new AnthropicProvider(baseUrl, apiKey, settings);
            case OPENAI -> new OpenAiProvider(baseUrl, apiKey, settings);
        };
    }

    /** The adapter for a configured endpoint. */
    public static ModelProvider create(ProviderEndpoint endpoint, ProviderSettings settings) {
        return create(endpoint.api(), endpoint.baseUrl().toString(), endpoint.apiKey(), settings);
    }

    static String trimSlash(String baseUrl) {
        return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }
}
