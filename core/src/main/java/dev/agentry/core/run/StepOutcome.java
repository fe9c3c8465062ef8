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

    /**
     * The runner executing the job vanished: the attempt is retried at once on a fresh runner with a new job
     * id. Like an expired lease it does not count against the retry budget (a cap stops endless loss).
     */
    record Lost(long runId, String stepId, int attempt, String owner, String error, String log) implements StepOutcome {}

    /**
     * The step is not finished: another attempt goes on after {@code after}, seeing {@code memo}. A CI gate
     * waiting for checks, or about to run its fixer, ends its attempts so.
     */
    record Continued(long runId, String stepId, int attempt, String owner, java.time.Duration after,
                     Map<String, String> memo, String reason, String log) implements StepOutcome {}

    /** An agent asks a human: the step waits on a decision and goes on, with the answer, once it is given. */
    record Asked(long runId, String stepId, int attempt, String owner, String question, String log, Map<String, String> memo)
            implements StepOutcome {
        public Asked {
            memo = memo == null ? Map.of() : Map.copyOf(memo);
        }
    }

    /**
     * A budget is spent: the attempt stopped before its next model call. The step is ready again at once, but
     * its run is paused, so no node claims it until the budget allows; it resumes from its checkpoint.
     */
    record Paused(long runId, String stepId, int attempt, String owner, String reason, String log) implements StepOutcome {}

    static StepOutcome asked(StepRef ref, String question, String log) {
        return asked(ref, question, log, Map.of());
    }

    /** @param memo what the step keeps for its next attempt (the policy approval it waits for) */
    static StepOutcome asked(StepRef ref, String question, String log, Map<String, String> memo) {
        return new Asked(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), question, log, memo);
    }

    static StepOutcome paused(StepRef ref, String reason, String log) {
        return new Paused(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), reason, log);
    }

    static StepOutcome succeeded(StepRef ref, Map<String, String> outputs, Integer exitCode, String log) {
        return new Succeeded(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), Map.copyOf(outputs), exitCode, log);
    }

    static StepOutcome failed(StepRef ref, String error, Integer exitCode, String log) {
        return new Failed(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), error, exitCode, log);
    }

    static StepOutcome lost(StepRef ref, String error, String log) {
        return new Lost(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), error, log);
    }

    static StepOutcome continued(StepRef ref, java.time.Duration after, Map<String, String> memo, String reason, String log) {
        return new Continued(ref.runId(), ref.stepId(), ref.attempt(), ref.owner(), after, Map.copyOf(memo), reason, log);
    }

    static StepOutcome expired(StepRef ref) {
        return new Expired(ref.runId(), ref.stepId(), ref.attempt(), ref.owner());
    }

    /** One attempt of one step of one run, as held by one node. */
    record StepRef(long runId, String stepId, int attempt, String owner) {}
}
