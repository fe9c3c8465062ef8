package dev.agentry.agents.builtin;

import dev.agentry.agents.model.Conversation;
import java.util.List;
import java.util.Optional;

/**
 * Where the built-in agent records each turn, so a crashed attempt goes on from its last turn. Saves are
 * append-only: each carries the messages its turn added and the tree's whole patch as the turn left it.
 */
public interface Checkpoints {

    /**
     * @param turn     turns completed
     * @param messages the whole conversation so far, in order
     * @param patch    the tree's changes since the attempt's base commit as a binary git diff; null when none
     */
    record Saved(int turn, List<Conversation.Message> messages, String patch) {
        public Saved {
            messages = List.copyOf(messages);
        }
    }

    /** @throws CheckpointFailed when the store cannot be read */
    Optional<Saved> load();

    /** @throws CheckpointFailed when the turn could not be recorded */
    void save(int turn, List<Conversation.Message> appended, String patch);

    /** A store that could not be read or written; the attempt fails rather than go on without a checkpoint. */
    final class CheckpointFailed extends RuntimeException {
        public CheckpointFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
