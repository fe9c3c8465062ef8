package dev.agentry.core.audit;

/** What {@link AuditLog#verify()} found: a chain that holds, or the first link that does not. */
public sealed interface Verification {
    boolean intact();

    /**
     * Every entry hashes to what it stores and links to the one before it; the newest is the one the head records.
     *
     * @param headHash the newest entry's hash in lowercase hex (32 zero bytes when the log is empty): write it
     *                 down somewhere else to be able to tell later that the whole chain was not rewritten
     */
    record Intact(long count, String headHash) implements Verification {
        @Override
        public boolean intact() {
            return true;
        }
    }

    /**
     * @param firstBrokenId the first entry that does not hold (or, when entries are missing, the first missing one)
     * @param expected      what the chain says should be there (a hash in hex, or an id)
     * @param found         what is there instead
     * @param why           in words, for the person reading the report
     */
    record Broken(long firstBrokenId, String expected, String found, String why) implements Verification {
        @Override
        public boolean intact() {
            return false;
        }
    }
}
