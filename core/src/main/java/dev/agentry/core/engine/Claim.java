package dev.agentry.core.engine;

import dev.agentry.core.run.StepOutcome;

/** A step attempt a node claimed: it holds the lease until it completes or the lease runs out. */
public record Claim(long runId, String stepId, int attempt, String idempotencyKey, long versionId, String owner,
                    String workspace) {
    public StepOutcome.StepRef ref() {
        return new StepOutcome.StepRef(runId, stepId, attempt, owner);
    }
}
