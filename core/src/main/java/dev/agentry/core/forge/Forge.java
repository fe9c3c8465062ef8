package dev.agentry.core.forge;

/**
 * Where pull requests live: Agentry's own local forge, or GitHub (and GitHub Enterprise). Every call names
 * the repository it acts on; opening is idempotent by head branch.
 */
public interface Forge {

    /** Opens a pull request from {@code head} onto {@code base}, or returns the one already open for that head. */
    PullRequest open(ForgeRepository repo, String head, String base, String title, String body) throws ForgeFailure;

    PullRequest get(ForgeRepository repo, int number) throws ForgeFailure;

    /** The combined state of the checks (CI) on the pull request's head commit. */
    Checks checks(ForgeRepository repo, PullRequest pr) throws ForgeFailure;

    /**
     * Merges the pull request with the method. Refused (a {@link ForgeFailure} with {@code refused}) when the
     * forge says it cannot be merged: conflicts, closed, or required checks not green.
     */
    PullRequest merge(ForgeRepository repo, PullRequest pr, MergeMethod method) throws ForgeFailure;

    void comment(ForgeRepository repo, PullRequest pr, String text) throws ForgeFailure;

    /** A forge call that did not succeed: {@code refused} when the forge said no, else it could not be reached. */
    final class ForgeFailure extends Exception {
        private final boolean refused;

        public ForgeFailure(String message, boolean refused) {
            super(message);
            this.refused = refused;
        }

        public ForgeFailure(String message, Throwable cause) {
            super(message, cause);
            this.refused = false;
        }

        public boolean refused() {
            return refused;
        }
    }
}
