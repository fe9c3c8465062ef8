package dev.agentry.core.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What spend looks like to people: the calls of a run, their prompts, and what similar steps cost before. */
public interface SpendViews {
    record CallView(long id, String stepId, String provider, String api, String model, Usage usage, BigDecimal costUsd,
                    boolean priced, long latencyMs, int status, int parentItems, int promptItems, Instant at) {}

    /** A run's calls, oldest first. */
    List<CallView> calls(long runId, int limit);

    /** A call's whole prompt rebuilt from its deltas: the head item, then each message; empty for an unknown call. */
    Optional<List<String>> prompt(long runId, long callId);

    /** How much of the run's prompts is stored (items and characters): deltas keep it linear in the conversation. */
    record Stored(long items, long chars) {}

    Stored stored(long runId);

    /** The spend of earlier attempts of a step (same workspace, step id and model), newest first. */
    record Attempt(Usage usage, BigDecimal costUsd) {}

    List<Attempt> history(String workspace, String stepId, String model, int limit);

    boolean accountExists(String name);
}
