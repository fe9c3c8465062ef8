package dev.agentry.agents.builtin;

import dev.agentry.agents.model.Conversation;
import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.spend.CallScope;
import java.util.List;
import java.util.Optional;

/** The agent's checkpoints in core's {@link AgentCheckpoints} store, for one attempt; messages as {@link MessageJson}. */
public final class PortCheckpoints implements Checkpoints {
    private final AgentCheckpoints store;
    private final CallScope scope;

    public PortCheckpoints(AgentCheckpoints store, CallScope scope) {
        this.store = store;
        this.scope = scope;
    }

    @Override
    public Optional<Saved> load() {
        return store.load(scope).map(c -> new Saved(c.turn(), c.messages().stream().map(MessageJson::read).toList(),
                c.patch()));
    }

    @Override
    public void save(int turn, List<Conversation.Message> appended, String patch) {
        store.append(scope, turn, appended.stream().map(MessageJson::write).toList(), patch);
    }
}
