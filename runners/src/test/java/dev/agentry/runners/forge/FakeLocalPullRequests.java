package dev.agentry.runners.forge;

import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.LocalPullRequests;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The local forge's records in memory, behaving as the PostgreSQL store does (which has its own tests). */
final class FakeLocalPullRequests implements LocalPullRequests {
    private final Clock clock;
    private final List<Stored> pullRequests = new ArrayList<>();
    private final Map<String, Map<String, Checks.Check>> checks = new LinkedHashMap<>();
    final List<String> comments = new ArrayList<>();

    FakeLocalPullRequests(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Stored openOrUpdate(String workspace, String repository, String head, String base, String title,
                                            String body, String headCommit, String diff) {
        var mine = list(workspace, repository);
        for (var s : mine) {
            if (s.state().equals("open") && s.head().equals(head)) {
                var updated = new Stored(workspace, repository, s.number(), head, s.base(), title, body, "open", headCommit,
                        null, diff, s.createdAt(), null);
                pullRequests.set(pullRequests.indexOf(s), updated);
                return updated;
            }
        }
        var created = new Stored(workspace, repository, mine.size() + 1, head, base, title, body, "open", headCommit, null,
                diff, clock.instant(), null);
        pullRequests.add(created);
        return created;
    }

    @Override
    public synchronized Optional<Stored> find(String workspace, String repository, int number) {
        return list(workspace, repository).stream().filter(s -> s.number() == number).findFirst();
    }

    @Override
    public synchronized List<Stored> list(String workspace, String repository) {
        return pullRequests.stream().filter(s -> s.workspace().equals(workspace) && s.repository().equals(repository)).toList();
    }

    @Override
    public synchronized Stored markMerged(String workspace, String repository, int number, String headCommit,
                                          String mergeCommit) {
        Stored s = find(workspace, repository, number).orElseThrow();
        if (s.state().equals("open") && s.headCommit().equals(headCommit)) {
            var merged = new Stored(workspace, repository, number, s.head(), s.base(), s.title(), s.body(), "merged",
                    headCommit, mergeCommit, s.diff(), s.createdAt(), clock.instant());
            pullRequests.set(pullRequests.indexOf(s), merged);
            return merged;
        }
        return s;
    }

    @Override
    public synchronized void comment(String workspace, String repository, int number, String text) {
        find(workspace, repository, number).orElseThrow();
        comments.add("#" + number + ": " + text);
    }

    @Override
    public synchronized void reportCheck(String workspace, String repository, String commit, Checks.Check check) {
        checks.computeIfAbsent(workspace + "/" + repository + "@" + commit, k -> new LinkedHashMap<>()).put(check.name(), check);
    }

    @Override
    public synchronized List<Checks.Check> checks(String workspace, String repository, String commit) {
        return List.copyOf(checks.getOrDefault(workspace + "/" + repository + "@" + commit, Map.of()).values());
    }
}
