package dev.agentry.core.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Read models: what the API and CLI show. Plain records, filled by {@link RunQueries}. */
public final class Views {
    private Views() {}

    public record RunView(long id, String workspace, String pipeline, int version, String status,
                          Map<String, String> inputs, String error, String idempotencyKey, Long rerunOf,
                          Instant createdAt, Instant startedAt, Instant finishedAt, String repository, String branch,
                          List<StepView> steps) {}

    public record StepView(String id, String kind, String status, int attempts, Instant readyAt, Instant dueAt,
                           Instant startedAt, Instant finishedAt, Map<String, String> outputs, String error,
                           Long decision) {}

    public record AttemptView(int attempt, String status, String node, String idempotencyKey, Instant startedAt,
                              Instant finishedAt, String error, Integer exitCode) {}

    public record DecisionView(long id, String workspace, long run, String pipeline, String step, String status,
                               String prompt, Instant deadline, String comment, String answeredBy,
                               Instant createdAt, Instant answeredAt) {}

    /** Something a person should look at; {@code type} is an open set ({@code stalled}, ...). */
    public record AttentionView(long id, String workspace, String type, String status, Long run, String step,
                                Integer attempt, String summary, Map<String, Object> data, Instant raisedAt,
                                Instant resolvedAt, String resolvedBy, String resolution) {}

    public record LogView(long run, String step, int attempt, String status, String log) {}

    /** A page of results and the cursor for the next one (null at the end). */
    public record Page<T>(List<T> items, String next) {}
}
