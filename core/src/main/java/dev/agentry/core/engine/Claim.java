package dev.agentry.core.engine;

import dev.agentry.core.run.StepOutcome;
import java.util.List;
import java.util.Map;

/**
 * A step attempt a node claimed for one of its pools: it holds the lease until it completes or the lease runs
 * out. {@code memo} is what earlier attempts of the step left for this one; {@code repository} and
 * {@code branch} are the run's (null when it works on no repository).
 */
public record Claim(long runId, String stepId, int attempt, String idempotencyKey, long versionId, String owner,
                    String workspace, String pool, Map<String, String> memo, String repository, String branch) {

    public Claim {
        memo = memo == null ? Map.of() : Map.copyOf(memo);
    }

    public StepOutcome.StepRef ref() {
        return new StepOutcome.StepRef(runId, stepId, attempt, owner);
    }

    /**
     * Which ready steps a claim may take: those placed on the pool by name, or by labels it carries all of;
     * the default pool also takes steps placed nowhere in particular.
     */
    public record Scope(String pool, List<String> labels, boolean isDefault) {
        public Scope {
            labels = List.copyOf(labels);
        }
    }
}
