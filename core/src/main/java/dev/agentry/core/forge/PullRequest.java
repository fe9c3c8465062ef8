package dev.agentry.core.forge;

/**
 * A pull request as its forge reports it.
 *
 * @param state     {@code open}, {@code merged} or {@code closed}
 * @param mergeable whether the forge could merge it now without conflicts; null while it does not know yet
 */
public record PullRequest(int number, String url, String state, String head, String base, String headCommit,
                          Boolean mergeable, String mergeCommit) {
    public boolean open() {
        return "open".equals(state);
    }

    public boolean merged() {
        return "merged".equals(state);
    }
}
