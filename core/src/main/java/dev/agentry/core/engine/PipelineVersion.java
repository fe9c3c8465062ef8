package dev.agentry.core.engine;

import dev.agentry.core.pipeline.PipelineDefinition;
import java.time.Instant;

/** One immutable version of a pipeline, as applied. Runs pin the version they started with. */
public record PipelineVersion(long id, String workspace, String name, int version, String source, String digest,
                              PipelineDefinition definition, Instant createdAt) {}
