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
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Anthropic Messages: {@code POST {base}/v1/messages}. */
final class AnthropicWire implements ProviderWire {
    static final AnthropicWire INSTANCE = new AnthropicWire();
    static final String DEFAULT_VERSION = "2023-06-01";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AnthropicWire() {}

    @Override
    public Api api() {
        return Api.ANTHROPIC;
    }

    /**
     * Anthropic has no cache key: it caches a prompt only up to an explicit {@code cache_control} breakpoint.
     * An agent re-sends its whole conversation every turn, so a breakpoint on the last block of the last message
     * writes the conversation so far to the cache, and the next turn (whose prefix is this one) reads it back at
     * a tenth of the input price instead of paying full price for the whole history again. The write costs a
     * quarter more than plain input once; one reuse repays it. Clients that place their own breakpoints know
     * their prompts better, so any {@code cache_control} in the request leaves it as it is. Prompts below the
     * model's minimum cacheable length are simply not cached, so the hint is never harmful.
     */
    @Override
    public ObjectNode withCacheHints(GatewayRequest request, CallScope scope) {
        ObjectNode body = request.body();
        ArrayNode messages = (ArrayNode) body.get("messages");
        if (messages.isEmpty() || body.findValue("cache_control") != null) {
            return body;
        }
        ObjectNode last = (ObjectNode) messages.get(messages.size() - 1);
        JsonNode content = last.get("content");
        ArrayNode marked;
        if (content != null && content.isTextual()) {
            if (content.asText().isEmpty()) {
                return body; // an empty text block is refused, with or without a breakpoint
            }
            marked = NODES.arrayNode(1).add(breakpoint(NODES.objectNode().put("type", "text").set("text", content)));
        } else if (content != null && content.isArray() && !content.isEmpty()
                && content.get(content.size() - 1) instanceof ObjectNode block && cacheable(block)) {
            marked = NODES.arrayNode(content.size());
            for (int i = 0; i < content.size() - 1; i++) {
                marked.add(content.get(i));
            }
            marked.add(breakpoint(block.deepCopy()));
        } else {
            return body;
        }
        // Copies are shallow: only the path to the marked block is new, so a large prompt is not duplicated.
        ObjectNode markedLast = NODES.objectNode();
        markedLast.setAll(last);
        markedLast.set("content", marked);
        ArrayNode markedMessages = NODES.arrayNode(messages.size());
        for (int i = 0; i < messages.size() - 1; i++) {
            markedMessages.add(messages.get(i));
        }
        markedMessages.add(markedLast);
        ObjectNode sent = NODES.objectNode();
        sent.setAll(body);
        sent.set("messages", markedMessages);
        return sent;
    }

    /** Thinking blocks cannot carry a breakpoint. */
    private static boolean cacheable(ObjectNode block) {
        String type = block.path("type").asText();
        return !type.equals("thinking") && !type.equals("redacted_thinking");
    }

    private static ObjectNode breakpoint(ObjectNode block) {
        block.set("cache_control", NODES.objectNode().put("type", "ephemeral"));
        return block;
    }

    @Override
    public URI endpoint(URI baseUrl) {
        return ProviderWire.under(baseUrl, "/v1/messages");
    }

    @Override
    public void authorize(HttpRequest.Builder upstream, String apiKey, Function<String, String> requestHeaders) {
        upstream.header("x-api-key", apiKey);
        String version = requestHeaders.apply("anthropic-version");
        upstream.header("anthropic-version", version == null || version.isBlank() ? DEFAULT_VERSION : version);
        String beta = requestHeaders.apply("anthropic-beta");
        if (beta != null && !beta.isBlank()) {
            upstream.header("anthropic-beta", beta);
        }
    }

    @Override
    public byte[] error(GatewayRefusal refusal) {
        String type = switch (refusal.kind()) {
            case INVALID_REQUEST -> "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case BUDGET_EXCEEDED -> "budget_exceeded";
            case POLICY -> "permission_error";
            case TOO_LARGE -> "request_too_large";
            case UPSTREAM_UNREACHABLE -> "api_error";
            case UPSTREAM_TIMEOUT -> "timeout_error";
        };
        var error = NODES.objectNode().put("type", type).put("message", refusal.getMessage());
        return CanonicalJson.write(NODES.objectNode().put("type", "error").set("error", error)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Anthropic's {@code input_tokens} already leaves out the tokens read from and written to the cache. */
    static Usage usageOf(JsonNode usage) {
        return new Usage(ProviderWire.count(usage, "input_tokens"), ProviderWire.count(usage, "output_tokens"),
                ProviderWire.count(usage, "cache_read_input_tokens"), ProviderWire.count(usage, "cache_creation_input_tokens"));
    }

    @Override
    public Usage usage(JsonNode response) {
        JsonNode usage = response.get("usage");
        return usage != null && usage.isObject() ? usageOf(usage) : Usage.NONE;
    }

    /** The message as a later request of the conversation carries it: its role and content. */
    @Override
    public String reply(JsonNode response) {
        JsonNode content = response.get("content");
        if (content == null || !content.isArray()) {
            return null;
        }
        return CanonicalJson.write(NODES.objectNode().put("role", response.path("role").asText("assistant")).set("content", content));
    }

    @Override
    public StreamedReply streamedReply() {
        return new Stream();
    }

    /**
     * {@code message_start} carries the prompt's usage, {@code message_delta} the output so far (and, from some
     * API versions, the prompt counts again): a later count of a field replaces the earlier one.
     */
    private static final class Stream implements StreamedReply {
        private final long[] counts = new long[4];
        private final Map<Integer, Block> blocks = new TreeMap<>();
        private String role = "assistant";

        private record Block(ObjectNode start, StringBuilder text, StringBuilder json) {}

        @Override
        public void accept(JsonNode event) {
            switch (event.path("type").asText()) {
                case "message_start" -> {
                    JsonNode message = event.path("message");
                    role = message.path("role").asText(role);
                    take(message.path("usage"));
                }
                case "message_delta" -> take(event.path("usage"));
                case "content_block_start" -> {
                    if (event.path("content_block") instanceof ObjectNode start) {
                        blocks.put(event.path("index").asInt(), new Block(start.deepCopy(), new StringBuilder(), new StringBuilder()));
                    }
                }
                case "content_block_delta" -> {
                    Block block = blocks.get(event.path("index").asInt());
                    JsonNode delta = event.path("delta");
                    if (block == null) {
                        return;
                    }
                    switch (delta.path("type").asText()) {
                        case "text_delta" -> block.text.append(delta.path("text").asText());
                        case "thinking_delta" -> block.text.append(delta.path("thinking").asText());
                        case "input_json_delta" -> block.json.append(delta.path("partial_json").asText());
                        case "signature_delta" -> block.start.put("signature", delta.path("signature").asText());
                        default -> { }
                    }
                }
                default -> { }
            }
        }

        private void take(JsonNode usage) {
            String[] fields = {"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"};
            for (int i = 0; i < fields.length; i++) {
                JsonNode n = usage.get(fields[i]);
                if (n != null && n.canConvertToLong()) {
                    counts[i] = n.asLong();
                }
            }
        }

        @Override
        public Usage usage() {
            return new Usage(counts[0], counts[1], counts[2], counts[3]);
        }

        @Override
        public String reply() {
            if (blocks.isEmpty()) {
                return null;
            }
            ArrayNode content = NODES.arrayNode(blocks.size());
            for (Block b : blocks.values()) {
                ObjectNode block = b.start;
                switch (block.path("type").asText()) {
                    case "text" -> block.put("text", block.path("text").asText() + b.text);
                    case "thinking" -> block.put("thinking", block.path("thinking").asText() + b.text);
                    default -> { }
                }
                if (!b.json.isEmpty()) {
                    try {
                        block.set("input", CanonicalJson.MAPPER.readTree(b.json.toString()));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        block.put("input", b.json.toString()); // a stream cut short: keep what arrived
                    }
                }
                content.add(block);
            }
            return CanonicalJson.write(NODES.objectNode().put("role", role).set("content", content));
        }
    }
}
