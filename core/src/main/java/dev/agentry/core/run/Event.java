package dev.agentry.core.run;

import java.util.Map;

/**
 * A change to a run, written in the same transaction as the change itself (the outbox). The workspace
 * and timestamp are the run's and the transaction's; the id is assigned when it is stored.
 */
public record Event(String type, long runId, String stepId, Integer attempt, Map<String, Object> data) {
    public static Event ofRun(String type, long runId, Map<String, Object> data) {
        return new Event(type, runId, null, null, data);
    }

    public static Event ofStep(String type, long runId, String stepId, Integer attempt, Map<String, Object> data) {
        return new Event(type, runId, stepId, attempt, data);
    }
}
