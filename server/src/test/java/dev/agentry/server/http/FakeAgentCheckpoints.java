package dev.agentry.server.http;

import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.spend.CallScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Checkpoints in memory, one per attempt (idempotency key), messages appended turn by turn. */
final class FakeAgentCheckpoints implements AgentCheckpoints {
    private final Map<String, Checkpoint> byAttempt = new ConcurrentHashMap<>();

    @Override
    public Optional<Checkpoint> load(CallScope scope) {
        return Optional.ofNullable(byAttempt.get(scope.idempotencyKey()));
    }

    @Override
    public void append(CallScope scope, int turn, List<String> appended, String patch) {
        byAttempt.compute(scope.idempotencyKey(), (key, before) -> {
            var messages = new ArrayList<String>(before == null ? List.of() : before.messages());
            messages.addAll(appended);
            return new Checkpoint(turn, messages, patch);
        });
    }
}
