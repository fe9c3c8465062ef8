package dev.agentry.agents.builtin;

import dev.agentry.core.spend.Usage;
import java.util.Map;

/** How one attempt of the built-in agent ended. */
public sealed interface AgentResult {

    /** The agent called {@code finish} or ended its turn without tool calls. */
    record Finished(String answer, Map<String, String> outputs, Usage total, int turns) implements AgentResult {
        public Finished {
            outputs = Map.copyOf(outputs);
        }
    }

    /** The agent wants a human's answer; the next attempt passes it in and goes on. */
    record Asked(String question) implements AgentResult {}

    /** A limit was reached; the diagnostic lists the last tool calls so a human sees what it was doing. */
    record Stopped(Limit reason, String diagnostic) implements AgentResult {}

    /** A budget is spent: nothing failed, the attempt resumes from its checkpoint when the budget allows. */
    record Paused(String message) implements AgentResult {}

    /** The model could not be called (other than a budget), or the attempt could not be restored or saved. */
    record Failed(String message) implements AgentResult {}

    enum Limit {
        MAX_TURNS("max turns reached"),
        MAX_TOKENS("max tokens reached"),
        WALL_TIME("wall time reached"),
        NO_PROGRESS("no progress");

        private final String text;

        Limit(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }
}
