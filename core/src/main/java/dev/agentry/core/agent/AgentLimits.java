package dev.agentry.core.agent;

import java.time.Duration;

/**
 * What bounds one attempt of the built-in agent.
 *
 * @param noProgressTurns turns in a row that call tools without changing any file before the attempt is stopped
 */
public record AgentLimits(int maxTurns, long maxTokens, Duration wallTime, int noProgressTurns) {
    public static final AgentLimits DEFAULT = new AgentLimits(40, 2_000_000, Duration.ofMinutes(30), 8);
}
