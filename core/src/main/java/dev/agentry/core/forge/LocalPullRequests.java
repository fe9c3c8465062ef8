package dev.agentry.core.forge;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The records of the local forge: pull requests, the checks reported on commits, comments. */
public interface LocalPullRequests {

    /** A pull request of the local forge as stored; {@code diff} is the change it proposes, bounded. */
    record Stored(String workspace, String repository, int number, String head, String base, String title, String body,
                  String state, String headCommit, String mergeCommit, String diff, Instant createdAt, Instant mergedAt) {}

    /**
     * The open pull request for {@code head}, with its head commit and diff brought up to date; or a new one,
     * numbered after the repository's last.
     */
    Stored openOrUpdate(String workspace, String repository, String head, String base, String title, String body,
                        String headCommit, String diff);

    Optional<Stored> find(String workspace, String repository, int number);

    List<Stored> list(String workspace, String repository);

    /** Marks it merged, if it is still open at that head commit; returns it as it is now. */
    Stored markMerged(String workspace, String repository, int number, String headCommit, String mergeCommit);

    void comment(String workspace, String repository, int number, String text);

    /** Records (or replaces) the state of one named check on a commit, as an outside CI reports it. */
    void reportCheck(String workspace, String repository, String commit, Checks.Check check);

    List<Checks.Check> checks(String workspace, String repository, String commit);
}
