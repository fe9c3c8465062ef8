package dev.agentry.core.trigger;

/** What became of one delivery to a trigger. */
public sealed interface Receipt {
    /** The delivery started a run, or ({@code duplicate}) was seen before and started this one then. */
    record Accepted(long runId, boolean duplicate) implements Receipt {}

    /** The delivery was genuine but starts nothing: a GitHub ping, or an event the trigger does not take. */
    record Ignored(String reason) implements Receipt {}

    /**
     * The delivery was refused; nothing was started or recorded.
     *
     * @param field the header or input at fault ({@code X-Hub-Signature-256}, {@code inputs.task}); empty for none
     */
    record Refused(Refusal refusal, String field, String detail) implements Receipt {}

    /** Why a delivery was refused. */
    enum Refusal {
        /** No trigger of that name in the workspace. */
        UNKNOWN_TRIGGER,
        /** The signature is missing, malformed, does not match, or its timestamp is outside the window. */
        BAD_SIGNATURE,
        /** The delivery itself is malformed: no delivery id, a body that is not JSON. */
        BAD_DELIVERY,
        /** The payload has no value for one of the mapped inputs. */
        UNMAPPABLE,
        /** The trigger is switched off. */
        DISABLED,
        /** The trigger's secret is not set on this server: the sender can do nothing about it. */
        SECRET_UNAVAILABLE,
        /** The run cannot start as the trigger describes it: no such pipeline, inputs it refuses, no such repository. */
        NOT_STARTABLE,
        /** The run's idempotency key was already used for a different run. */
        CONFLICT
    }

    static Refused refused(Refusal refusal, String field, String detail) {
        return new Refused(refusal, field == null ? "" : field, detail);
    }
}
