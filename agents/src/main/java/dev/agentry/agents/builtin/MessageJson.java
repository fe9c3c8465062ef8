package dev.agentry.agents.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.Conversation.Message;
import dev.agentry.agents.model.Conversation.Part;
import dev.agentry.agents.model.Conversation.Role;
import dev.agentry.agents.model.Conversation.Text;
import dev.agentry.agents.model.Conversation.ToolCall;
import dev.agentry.agents.model.Conversation.ToolResult;
import java.util.ArrayList;
import java.util.List;

/**
 * One message as JSON, the form checkpoints are stored and sent in. The shape is part of the storage format, so
 * it only ever grows:
 *
 * <pre>{"role":"assistant","parts":[{"type":"text","text":"…"},
 *   {"type":"tool_call","id":"c1","name":"read_file","input":{…}},
 *   {"type":"tool_result","callId":"c1","content":"…","error":false}]}</pre>
 */
public final class MessageJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MessageJson() {}

    public static String write(Message message) {
        try {
            return MAPPER.writeValueAsString(toNode(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a message could not be written as JSON", e);
        }
    }

    /** @throws IllegalArgumentException naming the offending field when the text is not a message */
    public static Message read(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message: not JSON: " + e.getOriginalMessage());
        }
        return fromNode(node);
    }

    public static ObjectNode toNode(Message message) {
        ObjectNode node = NODES.objectNode();
        node.put("role", message.role().name().toLowerCase());
        ArrayNode parts = node.putArray("parts");
        for (Part part : message.parts()) {
            ObjectNode p = parts.addObject();
            switch (part) {
                case Text t -> {
                    p.put("type", "text");
                    p.put("text", t.text());
                }
                case ToolCall c -> {
                    p.put("type", "tool_call");
                    p.put("id", c.id());
                    p.put("name", c.name());
                    p.set("input", c.input() == null ? NODES.objectNode() : c.input());
                }
                case ToolResult r -> {
                    p.put("type", "tool_result");
                    p.put("callId", r.callId());
                    p.put("content", r.content());
                    p.put("error", r.error());
                }
            }
        }
        return node;
    }

    public static Message fromNode(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("message: expected an object");
        }
        String role = text(node, "role", "message");
        Role parsedRole = switch (role) {
            case "user" -> Role.USER;
            case "assistant" -> Role.ASSISTANT;
            default -> throw new IllegalArgumentException("message.role: expected user or assistant, got \"" + role + "\"");
        };
        JsonNode parts = node.get("parts");
        if (parts == null || !parts.isArray()) {
            throw new IllegalArgumentException("message.parts: expected an array");
        }
        List<Part> parsed = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            JsonNode p = parts.get(i);
            String where = "message.parts[" + i + "]";
            if (!p.isObject()) {
                throw new IllegalArgumentException(where + ": expected an object");
            }
            String type = text(p, "type", where);
            parsed.add(switch (type) {
                case "text" -> new Text(text(p, "text", where));
                case "tool_call" -> new ToolCall(text(p, "id", where), text(p, "name", where),
                        p.hasNonNull("input") ? p.get("input") : NODES.objectNode());
                case "tool_result" -> new ToolResult(text(p, "callId", where), text(p, "content", where),
                        p.path("error").asBoolean(false));
                default -> throw new IllegalArgumentException(where + ".type: expected text, tool_call or tool_result, got \""
                        + type + "\"");
            });
        }
        return new Message(parsedRole, parsed);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + ": expected a string");
        }
        return value.asText();
    }

    /** The conversation's parts of one kind, in order: a convenience for callers that inspect a conversation. */
    static <T extends Part> List<T> parts(List<Conversation.Message> messages, Class<T> kind) {
        List<T> found = new ArrayList<>();
        for (Message m : messages) {
            for (Part p : m.parts()) {
                if (kind.isInstance(p)) {
                    found.add(kind.cast(p));
                }
            }
        }
        return found;
    }
}
