package dev.agentry.core.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Agentry writes to the world outside it (a push, a pull request opened or merged, a webhook sent,
 * a secret leased, a policy or a membership changed): the intent is appended to the {@link AuditLog} first, and
 * the write runs only once that entry is stored. If the entry cannot be stored, the write does not run and
 * {@link WriteRefused} says so.
 *
 * <p>After the write, its outcome is appended as a second entry: {@code <action>-done} (with whatever the caller
 * wants to add, such as the number of the pull request just opened) or {@code <action>-failed} (with the error's
 * type; not its message, which may quote a URL with a token or a server's answer). Both name the intent's id in
 * {@code detail.intent}. The outcome is recorded on a best-effort basis: if it cannot be stored, the write already
 * happened, so its result is still returned and the failure only logged. Throwing then would make the caller
 * believe the write did not happen and do it twice. An intent without an outcome therefore means the write may or may
 * not have happened (the process died, or the log went away in between); check the target itself.
 *
 * <p>The intent is committed in its own transaction before the write starts: do not call this from inside
 * another transaction (core has none) and do not hold locks the log needs.
 */
public final class ExternalWrites {
    private static final Logger log = LoggerFactory.getLogger(ExternalWrites.class);
    static final String DONE = "-done";
    static final String FAILED = "-failed";

    private final AuditLog audit;

    public ExternalWrites(AuditLog audit) {
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /** The write itself, run only after its intent is recorded. Its own exceptions pass through unchanged. */
    @FunctionalInterface
    public interface Write<T, E extends Exception> {
        T run() throws E;
    }

    /** What to add to the {@code -done} entry from the write's result (never a secret's value). */
    @FunctionalInterface
    public interface Outcome<T> {
        Map<String, String> describe(T result);
    }

    /**
     * Records {@code intent}, then runs {@code write} and returns its result.
     *
     * @throws WriteRefused when the intent cannot be recorded; {@code write} was not run
     * @throws E            what {@code write} threw (its {@code -failed} outcome is recorded first)
     */
    public <T, E extends Exception> T perform(AuditEntry intent, Write<T, E> write) throws E {
        return perform(intent, write, result -> Map.of());
    }

    /** As {@link #perform(AuditEntry, Write)}, with {@code outcome} adding the result's facts to the {@code -done} entry. */
    public <T, E extends Exception> T perform(AuditEntry intent, Write<T, E> write, Outcome<? super T> outcome) throws E {
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(outcome, "outcome");
        if (intent.action().endsWith(DONE) || intent.action().endsWith(FAILED)) {
            throw new IllegalArgumentException("'" + intent.action() + "' names an outcome; perform the write's own action");
        }
        long intentId;
        try {
            intentId = audit.append(intent);
        } catch (RuntimeException e) {
            // Whatever went wrong, the entry is not known to be stored: the write must not happen.
            throw new WriteRefused(intent, e);
        }
        T result;
        try {
            result = write.run();
        } catch (Exception | Error e) {
            recordOutcome(intent, intentId, FAILED, Map.of("error", e.getClass().getSimpleName()));
            throw e;
        }
        Map<String, String> facts;
        try {
            facts = outcome.describe(result);
        } catch (RuntimeException e) {
            log.warn("could not describe the outcome of audit entry {} ({} on {}): {}", intentId, intent.action(), intent.target(), e.toString());
            facts = Map.of();
        }
        recordOutcome(intent, intentId, DONE, facts == null ? Map.of() : facts);
        return result;
    }

    private void recordOutcome(AuditEntry intent, long intentId, String suffix, Map<String, String> facts) {
        try {
            var detail = new LinkedHashMap<>(facts);
            detail.put("intent", Long.toString(intentId));
            audit.append(intent.as(intent.action() + suffix, detail));
        } catch (RuntimeException e) {
            log.warn("audit entry {} ({} on {}) has no outcome recorded: {}", intentId, intent.action(), intent.target(), e.toString());
        }
    }
}
