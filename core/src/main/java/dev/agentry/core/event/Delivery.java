package dev.agentry.core.event;

/** What a {@link Subscription} hands its connection to send next. */
public sealed interface Delivery {
    record Event(LoggedEvent event) implements Delivery {}

    /** The state as of a log position; the stream goes on after that position. */
    record State(Snapshot snapshot) implements Delivery {}

    /**
     * The events after {@code requested} are no longer all in the log (retention removed them) or the id is
     * unknown here: the client must drop what it derived from events and start again from the snapshot
     * that follows.
     */
    record Gap(long requested, long oldest, String detail) implements Delivery {}

    /** The subscriber fell too far behind and is dropped; it can resume after {@code resumeAfter}. */
    record CutOff(long resumeAfter, String reason) implements Delivery {}
}
