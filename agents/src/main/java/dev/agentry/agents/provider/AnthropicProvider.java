package dev.agentry.agents.provider;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicInvalidDataException;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.model.ModelReply;
import dev.agentry.agents.model.ModelReply.StopReason;
import dev.agentry.agents.model.ModelRequest;
import dev.agentry.core.spend.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Anthropic Messages ({@code POST {base}/v1/messages}) through the official {@code anthropic-java} SDK, which does
 * the retrying: 408, 409, 429, 5xx and broken connections, waiting as {@code retry-after} says.
 */
public final class AnthropicProvider implements ModelProvider, AutoCloseable {
    /** The base URL of Anthropic's own API; the SDK adds {@code /v1/messages}. */
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

    private final AnthropicClient client;
    private final boolean streaming;
    private final ProviderFailures failures;

    /**
     * @param baseUrl e.g. {@link #DEFAULT_BASE_URL} or the Agentry gateway's Anthropic base
     * @param apiKey  sent as {@code x-api-key}
     */
    public AnthropicProvider(String baseUrl, String apiKey, ProviderSettings settings) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        this.client = AnthropicOkHttpClient.builder()
                .baseUrl(Providers.trimSlash(baseUrl))
                .apiKey(apiKey)
                // anthropic-java 3.12 sends a key given to apiKey() as "Authorization: Bearer", which Anthropic's
                // API and Agentry's gateway do not take for an API key; it leaves requests alone that already carry
                // X-Api-Key, so the key goes there.
                .putHeader("X-Api-Key", apiKey)
                .timeout(settings.timeout())
                .maxRetries(settings.maxRetries())
                .build();
        this.streaming = settings.streaming();
        this.failures = new ProviderFailures("Anthropic", apiKey, settings.timeout());
    }

    @Override
    public ModelReply complete(ModelRequest request) throws ModelCallFailed {
        MessageCreateParams params = params(request);
        Message message;
        try {
            message = streaming ? streamed(params) : client.messages().create(params);
            return reply(message);
        } catch (AnthropicServiceException e) {
            throw failures.status(e.statusCode(), e.errorType().map(Object::toString).orElse(null),
                    e.apiMessage().orElse(null), e);
        } catch (AnthropicIoException e) {
            throw failures.noAnswer(e);
        } catch (AnthropicInvalidDataException e) {
            throw failures.malformed("its JSON could not be read", e);
        } catch (IllegalStateException e) {
            // The accumulator refuses a stream that ended before message_stop or began without message_start.
            throw failures.malformed("the stream was incomplete", e);
        }
    }

    private Message streamed(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- Agentry → Anthropic

    static MessageCreateParams params(ModelRequest request) {
        MessageCreateParams.Builder params = MessageCreateParams.builder()
                .model(request.model())
                .maxTokens(request.maxTokens());
        if (!request.system().isEmpty()) {
            params.system(request.system());
        }
        for (Conversation.Message message : request.messages()) {
            params.addMessage(message(message));
        }
        for (Conversation.Tool tool : request.tools()) {
            params.addTool(tool(tool));
        }
        return params.build();
    }

    private static MessageParam message(Conversation.Message message) {
        // The API wants a user turn's tool results before anything else in it.
        List<ContentBlockParam> results = new ArrayList<>();
        List<ContentBlockParam> rest = new ArrayList<>();
        for (Conversation.Part part : message.parts()) {
            switch (part) {
                case Conversation.Text text -> rest.add(ContentBlockParam.ofText(
                        TextBlockParam.builder().text(text.text()).build()));
                case Conversation.ToolCall call -> rest.add(ContentBlockParam.ofToolUse(
                        ToolUseBlockParam.builder().id(call.id()).name(call.name()).input(input(call.input())).build()));
                case Conversation.ToolResult result -> results.add(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(result.callId()).content(result.content())
                                .isError(result.error()).build()));
            }
        }
        results.addAll(rest);
        return switch (message.role()) {
            case USER -> MessageParam.ofUserOfContentBlockParams(results);
            case ASSISTANT -> MessageParam.ofAssistantOfContentBlockParams(results);
        };
    }

    private static ToolUseBlockParam.Input input(JsonNode input) {
        ToolUseBlockParam.Input.Builder builder = ToolUseBlockParam.Input.builder();
        if (input != null) {
            for (Map.Entry<String, JsonNode> field : input.properties()) {
                builder.putAdditionalProperty(field.getKey(), JsonValue.fromJsonNode(field.getValue()));
            }
        }
        return builder.build();
    }

    private static Tool tool(Conversation.Tool tool) {
        Tool.InputSchema.Builder schema = Tool.InputSchema.builder();
        Tool.InputSchema.Properties.Builder properties = Tool.InputSchema.Properties.builder();
        JsonNode given = tool.inputSchema();
        if (given != null) {
            for (Map.Entry<String, JsonNode> field : given.properties()) {
                switch (field.getKey()) {
                    case "type" -> schema.type(JsonValue.fromJsonNode(field.getValue()));
                    case "properties" -> field.getValue().properties().forEach(property ->
                            properties.putAdditionalProperty(property.getKey(), JsonValue.fromJsonNode(property.getValue())));
                    case "required" -> field.getValue().forEach(name -> schema.addRequired(name.asText()));
                    default -> schema.putAdditionalProperty(field.getKey(), JsonValue.fromJsonNode(field.getValue()));
                }
            }
        }
        Tool.Builder builder = Tool.builder().name(tool.name()).inputSchema(schema.properties(properties.build()).build());
        if (tool.description() != null && !tool.description().isEmpty()) {
            builder.description(tool.description());
        }
        return builder.build();
    }

    // ---- Anthropic → Agentry

    private ModelReply reply(Message message) {
        List<Conversation.Part> parts = new ArrayList<>();
        for (ContentBlock block : message.content()) {
            if (block.isText()) {
                parts.add(new Conversation.Text(block.asText().text()));
            } else if (block.isToolUse()) {
                var use = block.asToolUse();
                parts.add(new Conversation.ToolCall(use.id(), use.name(), use._input().convert(JsonNode.class)));
            }
            // Thinking and server-tool blocks are not part of Agentry's conversation model yet.
        }
        StopReason stop = message.stopReason().map(reason -> switch (reason.value()) {
            case END_TURN, STOP_SEQUENCE -> StopReason.END_TURN;
            case TOOL_USE -> StopReason.TOOL_USE;
            case MAX_TOKENS -> StopReason.MAX_TOKENS;
            default -> StopReason.OTHER;
        }).orElse(StopReason.OTHER);
        var usage = message.usage();
        return new ModelReply(parts, stop, new Usage(usage.inputTokens(), usage.outputTokens(),
                usage.cacheReadInputTokens().orElse(0L), usage.cacheCreationInputTokens().orElse(0L)));
    }
}
