package dev.agentry.core.event;

import dev.agentry.core.engine.Views;
import java.time.Instant;
import java.util.List;

/**
 * What is going on now, as of log position {@code position}: the runs in flight with their steps, the
 * decisions waiting for people and the open attention items. Every event up to {@code position} is
 * reflected in it, and none after; a stream continues with the event after {@code position}.
 *
 * @param truncated more runs are in flight than a snapshot carries (the oldest queued ones are left out)
 */
public record Snapshot(long position, Instant generatedAt, List<Views.RunView> runs, List<Views.DecisionView> decisions,
                       List<Views.AttentionView> attention, boolean truncated) {}
