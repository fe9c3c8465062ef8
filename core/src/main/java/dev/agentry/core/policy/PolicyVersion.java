package dev.agentry.core.policy;

import java.time.Instant;

/** One immutable version of a workspace's policy, as applied (numbered from 1). */
public record PolicyVersion(String workspace, int version, String source, String digest, Instant createdAt) {}
