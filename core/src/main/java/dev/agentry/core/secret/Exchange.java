package dev.agentry.core.secret;

/** What exchanging a lease's token gave: the value (the first time), or why not. */
public sealed interface Exchange {
    /** The value, and whose lease it was (for the audit trail). */
    record Revealed(String workspace, String name, long runId, String stepId, String value) implements Exchange {
        @Override
        public String toString() {
            return "Revealed[" + workspace + "/" + name + " for run " + runId + " step " + stepId + "]";
        }
    }

    record Refused(Refusal reason) implements Exchange {}

    /** Why a token gave no value. Each says what happened, never which secret (the asker may be a stranger). */
    enum Refusal {
        UNKNOWN("no lease has this token"),
        ALREADY_EXCHANGED("the lease was already exchanged; a lease gives its value once"),
        EXPIRED("the lease expired before it was exchanged");

        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    static Exchange revealed(String workspace, String name, long runId, String stepId, String value) {
        return new Revealed(workspace, name, runId, stepId, value);
    }

    static Exchange refused(Refusal reason) {
        return new Refused(reason);
    }
}
