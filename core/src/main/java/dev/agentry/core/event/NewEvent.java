package dev.agentry.core.event;

import java.util.Map;

/** An event to append that is not part of a run's state change: a step's output, its progress. */
public record NewEvent(String workspace, String type, Long run, String step, Integer attempt, Map<String, Object> data) {}
