package dev.agentry.agents.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.Usage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** OpenAI-compatible Chat Completions: {@code POST {base}/chat/completions}. */
final class OpenAiWire implements ProviderWire {
    static final OpenAiWire INSTANCE = new OpenAiWire();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpenAiWire() {}

    @Override
    public Api api() {
        return Api.OPENAI;
    }

    static String cacheKey(CallScope scope) {
        return "agentry-run-" + scope.runId();
    }

    /**
     * OpenAI caches prompt prefixes by itself, but routes a request to a cache by a hash of its first tokens plus
     * {@code prompt_cache_key}: one key per run keeps the calls of a run's conversations on the machines that hold
     * their prefixes (a shared system prompt alone would spread them). A stream reports its usage only in a last
     * chunk the client asks for with {@code stream_options.include_usage}; without it the call could not be
     * metered. Both are added only where the agent set nothing itself.
     */
    @Override
    public ObjectNode withCacheHints(GatewayRequest request, CallScope scope) {
        ObjectNode body = request.body();
        boolean key = !body.has("prompt_cache_key");
        JsonNode options = body.get("stream_options");
        boolean usage = request.stream() && (options == null || options.isNull()
                || options.isObject() && !options.has("include_usage"));
        if (!key && !usage) {
            return body;
        }
        ObjectNode sent = NODES.objectNode();
        sent.setAll(body);
        if (key) {
            sent.put("prompt_cache_key", cacheKey(scope));
        }
        if (usage) {
            ObjectNode withUsage = NODES.objectNode();
            if (options != null && options.isObject()) {
                withUsage.setAll((ObjectNode) options);
            }
            sent.set("stream_options", withUsage.put("include_usage", true));
        }
        return sent;
    }

    @Override
    public URI endpoint(URI baseUrl) {
        return ProviderWire.under(baseUrl, "/chat/completions");
    }

    @Override
    public void authorize(HttpRequest.Builder upstream, String apiKey, Function<String, String> requestHeaders) {
        if (apiKey != null && !apiKey.isEmpty()) {
            upstream.header("Authorization", "Bearer " + apiKey); // a local server (ollama) may need none
        }
    }

    @Override
    public byte[] error(GatewayRefusal refusal) {
        String type = switch (refusal.kind()) {
            case INVALID_REQUEST, AUTHENTICATION, TOO_LARGE -> "invalid_request_error";
            case BUDGET_EXCEEDED -> "budget_exceeded";
            case POLICY -> "permission_denied";
            case UPSTREAM_UNREACHABLE, UPSTREAM_TIMEOUT -> "server_error";
        };
        String code = switch (refusal.kind()) {
            case INVALID_REQUEST -> null;
            case AUTHENTICATION -> "invalid_api_key";
            case BUDGET_EXCEEDED -> "budget_exceeded";
            case POLICY -> "policy_denied";
            case TOO_LARGE -> "request_too_large";
            case UPSTREAM_UNREACHABLE -> "upstream_unreachable";
            case UPSTREAM_TIMEOUT -> "upstream_timeout";
        };
        var error = NODES.objectNode().put("message", refusal.getMessage()).put("type", type)
                .put("param", refusal.field()).put("code", code);
        return CanonicalJson.write(NODES.objectNode().set("error", error)).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code prompt_tokens} counts the cached tokens too; OpenAI reports no cache writes. */
    static Usage usageOf(JsonNode usage) {
        long prompt = ProviderWire.count(usage, "prompt_tokens");
        long cached = ProviderWire.count(usage.path("prompt_tokens_details"), "cached_tokens");
        return new Usage(Math.max(0, prompt - cached), ProviderWire.count(usage, "completion_tokens"), cached, 0);
    }

    @Override
    public Usage usage(JsonNode response) {
        JsonNode usage = response.get("usage");
        return usage != null && usage.isObject() ? usageOf(usage) : Usage.NONE;
    }

    /** The first choice's message. */
    @Override
    public String reply(JsonNode response) {
        JsonNode message = response.path("choices").path(0).get("message");
        return message != null && message.isObject() ? CanonicalJson.write(message) : null;
    }

    @Override
    public StreamedReply streamedReply() {
        return new Stream();
    }

    /** Content and tool calls of the first choice, assembled from its deltas; the usage from the chunk that has it. */
    private static final class Stream implements StreamedReply {
        private Usage usage = Usage.NONE;
        private String role = "assistant";
        private StringBuilder content;
        private final Map<Integer, ToolCall> toolCalls = new TreeMap<>();

        private static final class ToolCall {
            String id;
            String type = "function";
            final StringBuilder name = new StringBuilder();
            final StringBuilder arguments = new StringBuilder();
        }

        @Override
        public void accept(JsonNode chunk) {
            JsonNode u = chunk.get("usage");
            if (u != null && u.isObject()) {
                usage = usageOf(u);
            }
            for (JsonNode choice : chunk.path("choices")) {
                if (choice.path("index").asInt(0) != 0) {
                    continue;
                }
                JsonNode delta = choice.path("delta");
                if (delta.path("role").isTextual()) {
                    role = delta.get("role").asText();
                }
                if (delta.path("content").isTextual()) {
                    (content == null ? content = new StringBuilder() : content).append(delta.get("content").asText());
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    ToolCall tc = toolCalls.computeIfAbsent(call.path("index").asInt(toolCalls.size()), i -> new ToolCall());
                    if (call.path("id").isTextual()) {
                        tc.id = call.get("id").asText();
                    }
                    if (call.path("type").isTextual()) {
                        tc.type = call.get("type").asText();
                    }
                    JsonNode function = call.path("function");
                    if (function.path("name").isTextual()) {
                        tc.name.append(function.get("name").asText());
                    }
                    if (function.path("arguments").isTextual()) {
                        tc.arguments.append(function.get("arguments").asText());
                    }
                }
            }
        }

        @Override
        public Usage usage() {
            return usage;
        }

        @Override
        public String reply() {
            if (content == null && toolCalls.isEmpty()) {
                return null;
            }
            ObjectNode message = NODES.objectNode().put("role", role);
            message.put("content", content == null ? null : content.toString());
            if (!toolCalls.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall tc : toolCalls.values()) {
                    ObjectNode call = calls.addObject().put("id", tc.id).put("type", tc.type);
                    call.putObject("function").put("name", tc.name.toString()).put("arguments", tc.arguments.toString());
                }
            }
            return CanonicalJson.write(message);
        }
    }
}
