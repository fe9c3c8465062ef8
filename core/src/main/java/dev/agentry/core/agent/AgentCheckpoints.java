package dev.agentry.core.agent;

import dev.agentry.core.spend.CallScope;
import java.util.List;
import java.util.Optional;

/**
 * Where the built-in agent checkpoints its conversation after every turn, so an attempt resumed after a crash
 * (same idempotency key) goes on from its last turn instead of starting over. Messages are opaque JSON to the
 * store; each checkpoint appends only the messages of its turn.
 */
public interface AgentCheckpoints {
    /**
     * @param turn     the number of turns completed
     * @param messages every message so far, in order
     * @param patch    the working tree's changes since the branch head as a binary git diff; null when none
     */
    record Checkpoint(int turn, List<String> messages, String patch) {
        public Checkpoint {
            messages = List.copyOf(messages);
        }
    }

    Optional<Checkpoint> load(CallScope scope);

    /** Records turn {@code turn}: the messages it appended and the tree as it left it. */
    void append(CallScope scope, int turn, List<String> appended, String patch);
}
