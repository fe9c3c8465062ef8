package dev.agentry.core.forge;

/** How a pull request lands on its base branch. */
public enum MergeMethod {
    MERGE, SQUASH, REBASE;

    public String wireName() {
        return name().toLowerCase();
    }
}
