package dev.agentry.agents.model;

import java.util.List;

/**
 * One call to a model.
 *
 * @param model     the provider's model name, e.g. {@code claude-sonnet-4-5} or {@code gpt-4.1}
 * @param system    instructions sent as the system prompt; may be empty
 * @param maxTokens the most the model may write in its reply
 */
public record ModelRequest(String model, String system, List<Conversation.Message> messages,
                           List<Conversation.Tool> tools, int maxTokens) {
    public ModelRequest {
        system = system == null ? "" : system;
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
