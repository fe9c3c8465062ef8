package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.model.Conversation;

/**
 * One tool the built-in agent offers its model. A tool never throws for bad input or a failed action: it answers
 * an error result the model can read and act on.
 */
public interface AgentTool {

    /** What a tool call returned: text for the model, and whether it is an error. */
    record Output(String text, boolean error) {
        public static Output ok(String text) {
            return new Output(text, false);
        }

        public static Output error(String text) {
            return new Output(text, true);
        }
    }

    /** Bad input or a refused action, turned into an error result by {@link #call}. */
    final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    String name();

    String description();

    JsonNode inputSchema();

    /** Does the work; may throw {@link Refused} for input it will not act on. */
    Output execute(JsonNode input);

    default Conversation.Tool spec() {
        return new Conversation.Tool(name(), description(), inputSchema());
    }

    /** Runs the tool, answering refusals and unexpected failures as error results. */
    default Output call(JsonNode input) {
        try {
            return execute(input == null ? new ObjectMapper().createObjectNode() : input);
        } catch (Refused e) {
            return Output.error(e.getMessage());
        } catch (RuntimeException e) {
            return Output.error(name() + " failed: " + e);
        }
    }
}
