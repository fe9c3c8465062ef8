package dev.agentry.core.run;

import java.util.Map;

/** How an attempt that a node executed ended; built by the named factories. */
public sealed interface StepOutcome {
    long runId();

    String stepId();

    int attempt();

    /** The node that held the lease; a completion from anyone else is refused. */
    String owner();

    record Succeeded(long runId, String stepId, int attempt, String owner, Map<String, String> outputs, Integer exitCode,
                     String log) implements StepOutcome {}

    record Failed(long runId, String stepId, int attempt, String owner, String error, Integer exitCode, String log)
            implements StepOutcome {}

    /** The lease ran out: the owner is gone or cut off. Does not count against the retry budget. */
    record Expired(long runId, String stepId, int attempt, String owner) implements StepOutcome {}

    static StepOutcome succeeded(StepRef ref, Map<String, String> outputs, Integer exitCode, String log) {
        return new Succeeded(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), Map.copyOf(outputs), exitCode, log);
    }

    static StepOutcome failed(StepRef ref, String error, Integer exitCode, String log) {
        return new Failed(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), error, exitCode, log);
    }

    static StepOutcome expired(StepRef ref) {
        return new Expired(ref.runId(), ref.stepId(), ref.attempt(), ref.owner());
    }

    /** One attempt of one step of one run, as held by one node. */
    record StepRef(long runId, String stepId, int attempt, String owner) {}
}
