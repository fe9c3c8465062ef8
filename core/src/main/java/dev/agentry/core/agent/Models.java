package dev.agentry.core.agent;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The model side of a deployment: its providers, the model a step gets when neither the step nor its kind
 * names one, and where agents reach the gateway.
 *
 * @param defaultModel {@code provider/model}; null when no provider is configured
 * @param gatewayUrl   the server's base URL as agents (possibly on other machines) reach it
 */
public record Models(Map<String, ProviderEndpoint> providers, String defaultProvider, String defaultModel,
                     URI gatewayUrl) {
    public Models {
        providers = Map.copyOf(providers);
    }

    public static Models none() {
        return new Models(Map.of(), null, null, null);
    }

    public Optional<ProviderEndpoint> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }
}
