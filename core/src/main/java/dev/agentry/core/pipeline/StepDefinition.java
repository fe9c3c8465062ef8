package dev.agentry.core.pipeline;

import java.time.Duration;
import java.util.List;

/** One node of a pipeline's graph. {@code timeout} is per attempt; null means none. */
public record StepDefinition(
        String id,
        String description,
        List<String> needs,
        RunCondition when,
        RetryPolicy retry,
        Duration timeout,
        StepAction action) {

    public StepDefinition {
        needs = List.copyOf(needs);
    }
}
