package dev.agentry.core.policy;

import java.util.List;
import java.util.Optional;

/**
 * Where policy versions live, one sequence per workspace. Versions are immutable; applying the same source as the
 * latest version again is a no-op. The store does not validate: callers parse a source before applying it.
 */
public interface PolicyStore {
    /** Stores {@code source} as the workspace's next version unless {@code digest} equals the latest version's. */
    Applied apply(String workspace, String source, String digest);

    record Applied(PolicyVersion version, boolean created) {}

    /** The latest version's number, 0 when the workspace has none: a cheap check of whether a cached policy is current. */
    int latestVersion(String workspace);

    Optional<PolicyVersion> latest(String workspace);

    Optional<PolicyVersion> version(String workspace, int version);

    /** Every version, newest first. */
    List<PolicyVersion> versions(String workspace);
}
