package dev.agentry.policy;

import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Policy versions in memory, counting how often the engine asks for the latest version number. */
class FakePolicyStore implements PolicyStore {
    private final Map<String, List<PolicyVersion>> versions = new HashMap<>();
    final AtomicInteger latestChecks = new AtomicInteger();

    @Override
    public synchronized Applied apply(String workspace, String source, String digest) {
        var list = versions.computeIfAbsent(workspace, w -> new ArrayList<>());
        if (!list.isEmpty() && list.getLast().digest().equals(digest)) {
            return new Applied(list.getLast(), false);
        }
        var created = new PolicyVersion(workspace, list.size() + 1, source, digest, Instant.EPOCH);
        list.add(created);
        return new Applied(created, true);
    }

    @Override
    public synchronized int latestVersion(String workspace) {
        latestChecks.incrementAndGet();
        return versions.getOrDefault(workspace, List.of()).size();
    }

    @Override
    public synchronized Optional<PolicyVersion> latest(String workspace) {
        var list = versions.getOrDefault(workspace, List.of());
        return list.isEmpty() ? Optional.empty() : Optional.of(list.getLast());
    }

    @Override
    public synchronized Optional<PolicyVersion> version(String workspace, int version) {
        var list = versions.getOrDefault(workspace, List.of());
        return version >= 1 && version <= list.size() ? Optional.of(list.get(version - 1)) : Optional.empty();
    }

    @Override
    public synchronized List<PolicyVersion> versions(String workspace) {
        return new ArrayList<>(versions.getOrDefault(workspace, List.of())).reversed();
    }
}
