package dev.agentry.agents.model;

import dev.agentry.core.spend.Usage;
import java.util.List;

/** What the model answered: the assistant message's parts, why it stopped, and what the call used. */
public record ModelReply(List<Conversation.Part> parts, StopReason stop, Usage usage) {
    public ModelReply {
        parts = List.copyOf(parts);
    }

    public enum StopReason {
        /** The model finished its turn. */
        END_TURN,
        /** The model wants tools called before it goes on. */
        TOOL_USE,
        /** The reply hit {@link ModelRequest#maxTokens()}. */
        MAX_TOKENS,
        OTHER
    }

    public Conversation.Message message() {
        return new Conversation.Message(Conversation.Role.ASSISTANT, parts);
    }
}
