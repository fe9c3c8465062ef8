package dev.agentry.agents.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** How one API spells a scripted answer: a JSON reply, a stream of server-sent events, an error body. */
sealed interface Wire {
    ObjectMapper JSON = new ObjectMapper();

    /** The body of a non-streaming reply. */
    String reply(Scripted answer, JsonNode request, int sequence);

    /** The server-sent event frames of a streaming reply, each ending with its blank line. */
    List<String> events(Scripted answer, JsonNode request, int sequence);

    /** The body of an error answer. */
    String error(Scripted answer);

    /** Splits text into small pieces so a client must accumulate deltas, as with a real model. */
    static List<String> pieces(String text, int size) {
        List<String> pieces = new ArrayList<>();
        for (int at = 0; at < text.length(); at += size) {
            pieces.add(text.substring(at, Math.min(text.length(), at + size)));
        }
        if (pieces.isEmpty()) {
            pieces.add("");
        }
        return pieces;
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parseArguments(String argumentsJson) {
        try {
            return JSON.readTree(argumentsJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("scripted tool call arguments are not JSON: " + argumentsJson, e);
        }
    }

    static String model(JsonNode request) {
        return request == null ? "stub-model" : request.path("model").asText("stub-model");
    }

    /** Anthropic Messages: {@code POST /v1/messages}. */
    final class Anthropic implements Wire {
        @Override
        public String reply(Scripted answer, JsonNode request, int sequence) {
            ObjectNode message = message(request, sequence);
            ArrayNode content = message.putArray("content");
            for (Scripted.Block block : answer.blocks()) {
                switch (block) {
                    case Scripted.Text text -> content.addObject().put("type", "text").put("text", text.text());
                    case Scripted.ToolCall call -> {
                        ObjectNode use = content.addObject().put("type", "tool_use").put("id", call.id())
                                .put("name", call.name());
                        use.set("input", parseArguments(call.arguments()));
                    }
                }
            }
            message.put("stop_reason", stopReason(answer.effectiveStop()));
            message.putNull("stop_sequence");
            usage(message.putObject("usage"), answer.tokens()).put("output_tokens", answer.tokens().output());
            return write(message);
        }

        @Override
        public List<String> events(Scripted answer, JsonNode request, int sequence) {
            List<String> events = new ArrayList<>();
            ObjectNode message = message(request, sequence);
            ObjectNode start = JSON.createObjectNode().put("type", "message_start");
            start.set("message", message); // set returns the parent, not the message
            message.putArray("content");
            message.putNull("stop_reason");
            message.putNull("stop_sequence");
            usage(message.putObject("usage"), answer.tokens()).put("output_tokens", 1);
            events.add(event("message_start", start));
            events.add(event("ping", JSON.createObjectNode().put("type", "ping")));

            int index = 0;
            for (Scripted.Block block : answer.blocks()) {
                ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
                switch (block) {
                    case Scripted.Text text -> {
                        blockStart.putObject("content_block").put("type", "text").put("text", "");
                        events.add(event("content_block_start", blockStart));
                        for (String piece : pieces(text.text(), 4)) {
                            events.add(delta(index, "text_delta", "text", piece));
                        }
                    }
                    case Scripted.ToolCall call -> {
                        parseArguments(call.arguments());
                        blockStart.putObject("content_block").put("type", "tool_use").put("id", call.id())
                                .put("name", call.name()).putObject("input");
                        events.add(event("content_block_start", blockStart));
                        events.add(delta(index, "input_json_delta", "partial_json", ""));
                        for (String piece : pieces(call.arguments(), 5)) {
                            events.add(delta(index, "input_json_delta", "partial_json", piece));
                        }
                    }
                }
                events.add(event("content_block_stop",
                        JSON.createObjectNode().put("type", "content_block_stop").put("index", index)));
                index++;
            }

            ObjectNode end = JSON.createObjectNode().put("type", "message_delta");
            end.putObject("delta").put("stop_reason", stopReason(answer.effectiveStop())).putNull("stop_sequence");
            end.putObject("usage").put("output_tokens", answer.tokens().output());
            events.add(event("message_delta", end));
            events.add(event("message_stop", JSON.createObjectNode().put("type", "message_stop")));
            return events;
        }

        @Override
        public String error(Scripted answer) {
            ObjectNode body = JSON.createObjectNode().put("type", "error");
            body.putObject("error").put("type", answer.errorType() != null ? answer.errorType() : type(answer.status()))
                    .put("message", answer.message());
            return write(body);
        }

        private static ObjectNode message(JsonNode request, int sequence) {
            return JSON.createObjectNode().put("id", "msg_stub_" + sequence).put("type", "message")
                    .put("role", "assistant").put("model", model(request));
        }

        private static ObjectNode usage(ObjectNode usage, Scripted.Tokens tokens) {
            return usage.put("input_tokens", tokens.input())
                    .put("cache_creation_input_tokens", tokens.cacheWrite())
                    .put("cache_read_input_tokens", tokens.cacheRead());
        }

        private static String event(String name, JsonNode data) {
            return "event: " + name + "\ndata: " + write(data) + "\n\n";
        }

        private static String delta(int index, String type, String field, String value) {
            ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
            delta.putObject("delta").put("type", type).put(field, value);
            return event("content_block_delta", delta);
        }

        private static String stopReason(Scripted.Stop stop) {
            return switch (stop) {
                case END_TURN -> "end_turn";
                case TOOL_USE -> "tool_use";
                case MAX_TOKENS -> "max_tokens";
            };
        }

        private static String type(int status) {
            return switch (status) {
                case 400 -> "invalid_request_error";
                case 401 -> "authentication_error";
                case 402 -> "budget_exceeded";
                case 403 -> "permission_error";
                case 404 -> "not_found_error";
                case 413 -> "request_too_large";
                case 429 -> "rate_limit_error";
                case 529 -> "overloaded_error";
                default -> status >= 500 ? "api_error" : "invalid_request_error";
            };
        }
    }

    /** OpenAI Chat Completions: {@code POST /v1/chat/completions}. */
    final class OpenAi implements Wire {
        private static final long CREATED = 1_700_000_000L;

        @Override
        public String reply(Scripted answer, JsonNode request, int sequence) {
            ObjectNode completion = JSON.createObjectNode().put("id", "chatcmpl-stub" + sequence)
                    .put("object", "chat.completion").put("created", CREATED).put("model", model(request));
            ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            StringBuilder text = new StringBuilder();
            ArrayNode calls = JSON.createArrayNode();
            for (Scripted.Block block : answer.blocks()) {
                switch (block) {
                    case Scripted.Text t -> text.append(t.text());
                    case Scripted.ToolCall call -> {
                        ObjectNode c = calls.addObject().put("id", call.id()).put("type", "function");
                        c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                    }
                }
            }
            if (text.isEmpty() && !calls.isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", text.toString());
            }
            message.putNull("refusal");
            if (!calls.isEmpty()) {
                message.set("tool_calls", calls);
            }
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason(answer.effectiveStop()));
            usage(completion, answer.tokens());
            return write(completion);
        }

        @Override
        public List<String> events(Scripted answer, JsonNode request, int sequence) {
            boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
            List<String> events = new ArrayList<>();
            ObjectNode first = chunk(request, sequence, includeUsage);
            first.withArrayProperty("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("role", "assistant").put("content", "");
            events.add(data(first));

            int callIndex = 0;
            for (Scripted.Block block : answer.blocks()) {
                switch (block) {
                    case Scripted.Text text -> {
                        for (String piece : pieces(text.text(), 4)) {
                            ObjectNode chunk = chunk(request, sequence, includeUsage);
                            chunk.withArrayProperty("choices").addObject().put("index", 0).putNull("finish_reason")
                                    .putObject("delta").put("content", piece);
                            events.add(data(chunk));
                        }
                    }
                    case Scripted.ToolCall call -> {
                        parseArguments(call.arguments());
                        ObjectNode opening = chunk(request, sequence, includeUsage);
                        ObjectNode openingCall = opening.withArrayProperty("choices").addObject().put("index", 0)
                                .putNull("finish_reason").putObject("delta").putArray("tool_calls").addObject()
                                .put("index", callIndex).put("id", call.id()).put("type", "function");
                        openingCall.putObject("function").put("name", call.name()).put("arguments", "");
                        events.add(data(opening));
                        for (String piece : pieces(call.arguments(), 5)) {
                            ObjectNode chunk = chunk(request, sequence, includeUsage);
                            chunk.withArrayProperty("choices").addObject().put("index", 0).putNull("finish_reason")
                                    .putObject("delta").putArray("tool_calls").addObject().put("index", callIndex)
                                    .putObject("function").put("arguments", piece);
                            events.add(data(chunk));
                        }
                        callIndex++;
                    }
                }
            }

            ObjectNode last = chunk(request, sequence, includeUsage);
            ObjectNode lastChoice = last.withArrayProperty("choices").addObject().put("index", 0);
            lastChoice.putObject("delta");
            lastChoice.put("finish_reason", finishReason(answer.effectiveStop()));
            events.add(data(last));
            if (includeUsage) {
                ObjectNode usage = chunk(request, sequence, false);
                usage.putArray("choices");
                usage(usage, answer.tokens());
                events.add(data(usage));
            }
            events.add("data: [DONE]\n\n");
            return events;
        }

        @Override
        public String error(Scripted answer) {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error").put("message", answer.message())
                    .put("type", answer.errorType() != null ? answer.errorType() : type(answer.status()));
            error.putNull("param");
            error.putNull("code");
            return write(body);
        }

        private static ObjectNode chunk(JsonNode request, int sequence, boolean nullUsage) {
            ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-stub" + sequence)
                    .put("object", "chat.completion.chunk").put("created", CREATED).put("model", model(request));
            chunk.putArray("choices");
            if (nullUsage) {
                chunk.putNull("usage");
            }
            return chunk;
        }

        private static void usage(ObjectNode into, Scripted.Tokens tokens) {
            long prompt = tokens.input() + tokens.cacheRead() + tokens.cacheWrite();
            ObjectNode usage = into.putObject("usage").put("prompt_tokens", prompt)
                    .put("completion_tokens", tokens.output()).put("total_tokens", prompt + tokens.output());
            ObjectNode details = usage.putObject("prompt_tokens_details").put("cached_tokens", tokens.cacheRead());
            if (tokens.cacheWrite() > 0) {
                details.put("cache_write_tokens", tokens.cacheWrite());
            }
            usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        }

        private static String data(JsonNode chunk) {
            return "data: " + write(chunk) + "\n\n";
        }

        private static String finishReason(Scripted.Stop stop) {
            return switch (stop) {
                case END_TURN -> "stop";
                case TOOL_USE -> "tool_calls";
                case MAX_TOKENS -> "length";
            };
        }

        private static String type(int status) {
            return switch (status) {
                case 401 -> "invalid_api_key";
                case 402 -> "budget_exceeded";
                case 403 -> "permission_denied";
                case 404 -> "not_found";
                case 429 -> "rate_limit_exceeded";
                default -> status >= 500 ? "server_error" : "invalid_request_error";
            };
        }
    }
}
