package dev.agentry.agents.builtin;

import dev.agentry.agents.model.Conversation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checkpoints kept in memory: for inline agents, which have no tree to lose, and for tests. */
public final class MemoryCheckpoints implements Checkpoints {
    private final List<Conversation.Message> messages = new ArrayList<>();
    private int turn;
    private String patch;
    private int saves;

    @Override
    public synchronized Optional<Saved> load() {
        return saves == 0 ? Optional.empty() : Optional.of(new Saved(turn, messages, patch));
    }

    @Override
    public synchronized void save(int turn, List<Conversation.Message> appended, String patch) {
        this.messages.addAll(appended);
        this.turn = turn;
        this.patch = patch;
        this.saves++;
    }

    /** How many times a turn was saved. */
    public synchronized int saves() {
        return saves;
    }
}
