package dev.agentry.agents.builtin;

import dev.agentry.core.agent.ProviderEndpoint;
import java.net.URI;

/**
 * The model API an agent process was told to use: which API, and Agentry's gateway address and run-scoped token
 * for it (never a provider's own key).
 */
public record ProviderChoice(ProviderEndpoint.Api api, URI baseUrl, String token) {
    @Override
    public String toString() {
        return "ProviderChoice[api=" + api.wireName() + ", baseUrl=" + baseUrl + ", token=(redacted)]";
    }
}
