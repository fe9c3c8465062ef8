package dev.agentry.agents.model;

/**
 * A model behind one API (Anthropic Messages, OpenAI Chat Completions): the built-in agent's only way to a
 * model. Adapters retry what is worth retrying (429 and 5xx, honouring {@code retry-after}) before they give up.
 */
public interface ModelProvider {
    ModelReply complete(ModelRequest request) throws ModelCallFailed;
}
