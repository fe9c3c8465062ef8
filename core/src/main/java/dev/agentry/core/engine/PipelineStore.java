package dev.agentry.core.engine;

import java.util.List;
import java.util.Optional;

/** Where pipeline versions live. Versions are immutable; applying the same source again is a no-op. */
public interface PipelineStore {
    /** Stores {@code candidate} as the next version unless its digest equals the latest version's. */
    Applied apply(String workspace, String name, String source, String digest);

    record Applied(PipelineVersion version, boolean created) {}

    Optional<PipelineVersion> latest(String workspace, String name);

    Optional<PipelineVersion> version(String workspace, String name, int version);

    /** By id, for runs that pinned it (cached: versions never change). */
    PipelineVersion byId(long versionId);

    List<PipelineVersion> list(String workspace);

    List<PipelineVersion> versions(String workspace, String name);
}
