package dev.agentry.agents.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A conversation with a model in Agentry's own words, independent of any provider's wire format: the
 * built-in agent speaks this, and each provider adapter translates it to and from its API.
 */
public final class Conversation {
    private Conversation() {}

    public enum Role {
        USER, ASSISTANT
    }

    /** One message: who said it and what it is made of. */
    public record Message(Role role, List<Part> parts) {
        public Message {
            parts = List.copyOf(parts);
        }

        public static Message user(String text) {
            return new Message(Role.USER, List.of(new Text(text)));
        }
    }

    /** A piece of a message. */
    public sealed interface Part {}

    public record Text(String text) implements Part {}

    /** The model asks for a tool to be called; {@code id} pairs it with its result. */
    public record ToolCall(String id, String name, JsonNode input) implements Part {}

    /** What a tool call returned, sent back in the next user message. */
    public record ToolResult(String callId, String content, boolean error) implements Part {}

    /** A tool offered to the model: its input is described by a JSON schema. */
    public record Tool(String name, String description, JsonNode inputSchema) {}
}
