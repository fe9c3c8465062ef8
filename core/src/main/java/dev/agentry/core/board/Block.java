package dev.agentry.core.board;

import java.time.Instant;
import java.util.List;

/**
 * An item on the board. {@code dependsOn} lists the blocks this one depends on (edges point from the dependent
 * to its dependency). {@code repository} is only a service's, {@code pipeline} only a task's.
 */
public record Block(long id, String workspace, BlockKind kind, Long parent, String name, String description,
                    String repository, String pipeline, List<Long> dependsOn, Instant createdAt) {}
