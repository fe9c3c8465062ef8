package dev.agentry.core.agent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Versioned guideline texts added to agents' instructions, in three scopes: built-in, an account's (every
 * workspace of the account sees them) and a workspace's. A name resolves to the most specific scope that has it.
 * Saving a changed text makes a new version; a run pins the version of each fragment it uses the first time it
 * uses it, so every step of the run reads the same text even if the fragment changes meanwhile.
 */
public interface PromptFragments {
    enum Scope {
        BUILTIN, ACCOUNT, WORKSPACE;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    /** @param owner the account's or workspace's name; {@code agentry} for built-in fragments */
    record Fragment(String name, Scope scope, String owner, int version, String text, Instant createdAt) {}

    /**
     * The fragments a run uses, in the order asked: the versions it pinned before, else the latest visible to its
     * workspace, pinned now.
     *
     * @throws UnknownFragment naming the first name no scope has
     */
    List<Fragment> pinned(long runId, String workspace, List<String> names);

    /** The fragments a run pinned so far. */
    List<Fragment> pinnedBy(long runId);

    /** Saves a text as the fragment's next version; the same text as the latest version makes none. */
    Fragment save(Scope scope, String owner, String name, String text);

    /** The latest version of every fragment the workspace sees, the most specific scope winning. */
    List<Fragment> visible(String workspace);

    Optional<Fragment> find(Scope scope, String owner, String name, Integer version);

    final class UnknownFragment extends RuntimeException {
        public UnknownFragment(String message) {
            super(message);
        }
    }
}
