package dev.agentry.agents.provider;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
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
 * OpenAI-compatible Chat Completions ({@code POST {base}/chat/completions}) through the official {@code openai-java}
 * SDK, which does the retrying: 408, 409, 429, 5xx and broken connections, waiting as {@code retry-after} says.
 */
public final class OpenAiProvider implements ModelProvider, AutoCloseable {
    /** The base URL of OpenAI's own API; the SDK adds {@code /chat/completions}. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenAIClient client;
    private final boolean streaming;
    private final ProviderFailures failures;

    /**
     * @param baseUrl e.g. {@link #DEFAULT_BASE_URL}, an OpenAI-compatible server's {@code …/v1}, or the Agentry
     *                gateway's OpenAI base
     * @param apiKey  sent as {@code Authorization: Bearer}
     */
    public OpenAiProvider(String baseUrl, String apiKey, ProviderSettings settings) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        this.client = OpenAIOkHttpClient.builder()
                .baseUrl(Providers.trimSlash(baseUrl))
                .apiKey(apiKey)
                .timeout(settings.timeout())
                .maxRetries(settings.maxRetries())
                .build();
        this.streaming = settings.streaming();
        this.failures = new ProviderFailures("OpenAI", apiKey, settings.timeout());
    }

    @Override
    public ModelReply complete(ModelRequest request) throws ModelCallFailed {
        try {
            ChatCompletion completion = streaming ? streamed(params(request, true)) : client.chat().completions()
                    .create(params(request, false));
            return reply(completion);
        } catch (OpenAIServiceException e) {
            throw failures.status(e.statusCode(), e.type().orElse(null), apiMessage(e), e);
        } catch (OpenAIIoException e) {
            throw failures.noAnswer(e);
        } catch (OpenAIInvalidDataException e) {
            throw failures.malformed("its JSON could not be read", e);
        } catch (IllegalStateException e) {
            // The accumulator refuses a stream that carried no chunk.
            throw failures.malformed("the stream was incomplete", e);
        }
    }

    private ChatCompletion streamed(ChatCompletionCreateParams params) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion();
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- Agentry → OpenAI

    static ChatCompletionCreateParams params(ModelRequest request, boolean streaming) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(request.model())
                .maxCompletionTokens(request.maxTokens());
        if (!request.system().isEmpty()) {
            params.addSystemMessage(request.system());
        }
        for (Conversation.Message message : request.messages()) {
            switch (message.role()) {
                case USER -> user(params, message);
                case ASSISTANT -> params.addMessage(assistant(message));
            }
        }
        for (Conversation.Tool tool : request.tools()) {
            params.addTool(tool(tool));
        }
        if (streaming) {
            // Without it a stream reports no usage at all, and every call must be metered.
            params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return params.build();
    }

    /** A user turn: each tool result is a message of its own with role {@code tool}, then the text, if any. */
    private static void user(ChatCompletionCreateParams.Builder params, Conversation.Message message) {
        StringBuilder text = new StringBuilder();
        for (Conversation.Part part : message.parts()) {
            switch (part) {
                case Conversation.ToolResult result -> params.addMessage(ChatCompletionToolMessageParam.builder()
                        .toolCallId(result.callId())
                        // The API has no error flag for tool results; the model learns of the failure from the text.
                        .content(result.error() ? "Error: " + result.content() : result.content())
                        .build());
                case Conversation.Text t -> append(text, t.text());
                case Conversation.ToolCall call -> throw new IllegalArgumentException(
                        "a user message cannot call a tool (" + call.name() + ")");
            }
        }
        if (!text.isEmpty()) {
            params.addUserMessage(text.toString());
        }
    }

    private static ChatCompletionAssistantMessageParam assistant(Conversation.Message message) {
        ChatCompletionAssistantMessageParam.Builder assistant = ChatCompletionAssistantMessageParam.builder();
        StringBuilder text = new StringBuilder();
        for (Conversation.Part part : message.parts()) {
            switch (part) {
                case Conversation.Text t -> append(text, t.text());
                case Conversation.ToolCall call -> assistant.addToolCall(ChatCompletionMessageFunctionToolCall.builder()
                        .id(call.id())
                        .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                                .name(call.name())
                                .arguments(call.input() == null ? "{}" : call.input().toString())
                                .build())
                        .build());
                case Conversation.ToolResult result -> throw new IllegalArgumentException(
                        "an assistant message cannot carry a tool result (" + result.callId() + ")");
            }
        }
        if (!text.isEmpty()) {
            assistant.content(text.toString());
        }
        return assistant.build();
    }

    private static void append(StringBuilder text, String more) {
        if (!text.isEmpty()) {
            text.append("\n\n");
        }
        text.append(more);
    }

    private static ChatCompletionFunctionTool tool(Conversation.Tool tool) {
        FunctionParameters.Builder parameters = FunctionParameters.builder();
        if (tool.inputSchema() != null) {
            for (Map.Entry<String, JsonNode> field : tool.inputSchema().properties()) {
                parameters.putAdditionalProperty(field.getKey(), JsonValue.fromJsonNode(field.getValue()));
            }
        }
        FunctionDefinition.Builder function = FunctionDefinition.builder().name(tool.name())
                .parameters(parameters.build());
        if (tool.description() != null && !tool.description().isEmpty()) {
            function.description(tool.description());
        }
        return ChatCompletionFunctionTool.builder().function(function.build()).build();
    }

    // ---- OpenAI → Agentry

    private ModelReply reply(ChatCompletion completion) throws ModelCallFailed {
        if (completion.choices().isEmpty()) {
            throw failures.malformed("a completion without choices", null);
        }
        ChatCompletion.Choice choice = completion.choices().getFirst();
        List<Conversation.Part> parts = new ArrayList<>();
        choice.message().content().filter(text -> !text.isEmpty())
                .ifPresent(text -> parts.add(new Conversation.Text(text)));
        for (ChatCompletionMessageToolCall call : choice.message().toolCalls().orElse(List.of())) {
            if (call.isFunction()) {
                ChatCompletionMessageFunctionToolCall function = call.asFunction();
                parts.add(new Conversation.ToolCall(function.id(), function.function().name(),
                        arguments(function.function().arguments())));
            }
        }
        StopReason stop = switch (choice.finishReason().value()) {
            case STOP -> StopReason.END_TURN;
            case TOOL_CALLS, FUNCTION_CALL -> StopReason.TOOL_USE;
            case LENGTH -> StopReason.MAX_TOKENS;
            default -> StopReason.OTHER;
        };
        return new ModelReply(parts, stop, completion.usage().map(OpenAiProvider::usage).orElse(Usage.NONE));
    }

    private JsonNode arguments(String arguments) throws ModelCallFailed {
        if (arguments == null || arguments.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(arguments);
        } catch (JacksonException e) {
            throw failures.malformed("tool call arguments that are not JSON", e);
        }
    }

    /** {@code prompt_tokens} counts cached tokens too; Agentry's {@code input} does not. */
    static Usage usage(CompletionUsage usage) {
        var details = usage.promptTokensDetails();
        long cacheRead = details.flatMap(CompletionUsage.PromptTokensDetails::cachedTokens).orElse(0L);
        long cacheWrite = details.flatMap(CompletionUsage.PromptTokensDetails::cacheWriteTokens).orElse(0L);
        long input = Math.max(0, usage.promptTokens() - cacheRead - cacheWrite);
        return new Usage(input, usage.completionTokens(), cacheRead, cacheWrite);
    }

    /** The provider's own words: the SDK hands over the error object, or the whole body when it has none. */
    private static String apiMessage(OpenAIServiceException e) {
        try {
            JsonNode body = e.body().convert(JsonNode.class);
            if (body == null) {
                return null;
            }
            JsonNode error = body.has("error") ? body.path("error") : body;
            return text(error.path("message"));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
