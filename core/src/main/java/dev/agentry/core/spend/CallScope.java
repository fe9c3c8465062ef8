package dev.agentry.core.spend;

/**
 * Who a model call is made for: one attempt of one agent step. The gateway resolves a run-scoped token to
 * one, and budgets, metering and checkpoints all key on it.
 *
 * @param idempotencyKey the attempt's key: an attempt resumed after a crash keeps it, a retry after a failure does not
 * @param provider       the configured provider the step's calls go to (its name, e.g. {@code anthropic})
 */
public record CallScope(long runId, String stepId, String idempotencyKey, String workspace, String account,
                        String provider) {}
