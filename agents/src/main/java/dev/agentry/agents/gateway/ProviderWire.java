package dev.agentry.agents.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.Usage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.function.Function;

/** What the gateway must know of one provider API's wire format: requests, errors, usage and replies. */
sealed interface ProviderWire permits AnthropicWire, OpenAiWire {
    static ProviderWire of(Api api) {
        return switch (api) {
            case ANTHROPIC -> AnthropicWire.INSTANCE;
            case OPENAI -> OpenAiWire.INSTANCE;
        };
    }

    Api api();

    /** The request as the agent sent it, with its model, stream flag and messages checked. */
    default GatewayRequest parse(byte[] body) throws GatewayRefusal {
        JsonNode root;
        try {
            root = CanonicalJson.read(body, 0, body.length);
        } catch (JsonProcessingException e) {
            throw GatewayRefusal.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw GatewayRefusal.invalid(null, "the body must be a JSON object");
        }
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw GatewayRefusal.invalid("model", "model: field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw GatewayRefusal.invalid("model", "model: expected the model's name as a non-empty string");
        }
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw GatewayRefusal.invalid("messages", "messages: field required");
        }
        if (!messages.isArray()) {
            throw GatewayRefusal.invalid("messages", "messages: expected a list of messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).isObject()) {
                throw GatewayRefusal.invalid("messages[" + i + "]", "messages[" + i + "]: expected a message object");
            }
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayRefusal.invalid("stream", "stream: expected true or false");
        }
        return new GatewayRequest(model.asText(), stream != null && stream.asBoolean(), (ObjectNode) root);
    }

    /**
     * The body to send upstream: the agent's request with the gateway's prompt-cache hints for the run added where
     * the agent gave none. Returns the request's own body when nothing is added; never changes it.
     */
    ObjectNode withCacheHints(GatewayRequest request, CallScope scope);

    /** Where calls go, from the provider's base URL as the official SDKs take it. */
    URI endpoint(URI baseUrl);

    /** The provider's credentials and the API headers worth passing on from the agent's request. */
    void authorize(HttpRequest.Builder upstream, String apiKey, Function<String, String> requestHeaders);

    /** An error body in the format the API's clients parse. */
    byte[] error(GatewayRefusal refusal);

    /** The usage of a non-streamed reply (the whole response body); {@link Usage#NONE} when it has none. */
    Usage usage(JsonNode response);

    /** The assistant's message of a non-streamed reply as canonical JSON, or null. */
    String reply(JsonNode response);

    /** Follows one streamed reply, event by event. */
    StreamedReply streamedReply();

    /** Usage and reply assembled from a reply's server-sent events, each given as its parsed {@code data}. */
    interface StreamedReply {
        void accept(JsonNode event);

        Usage usage();

        /** The assistant's message as far as the stream carried it, as canonical JSON; null when it carried none. */
        String reply();
    }

    static long count(JsonNode usage, String field) {
        JsonNode n = usage.get(field);
        return n != null && n.canConvertToLong() ? n.asLong() : 0;
    }

    /** {@code path} under a provider's base URL, whether the base ends in a slash or not. */
    static URI under(URI baseUrl, String path) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }
}
