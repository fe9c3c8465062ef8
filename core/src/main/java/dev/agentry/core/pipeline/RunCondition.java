package dev.agentry.core.pipeline;

/** When a step runs, judged once every step it {@code needs} has finished. */
public enum RunCondition {
    /** Every needed step succeeded (the default). */
    SUCCESS,
    /** At least one needed step failed: clean-up and notification steps. */
    FAILURE,
    /** Whatever happened before. */
    ALWAYS;

    public String wireName() {
        return name().toLowerCase();
    }
}
