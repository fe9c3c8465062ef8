package dev.agentry.core.engine;

import dev.agentry.core.agent.Agents;
import dev.agentry.core.forge.Forges;
import dev.agentry.core.job.RunnerPools;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.repo.SecretVault;

/**
 * What a node executes steps with besides the database: where jobs run, the repositories, secrets and forges,
 * and the agents with their models.
 */
public record Integrations(RunnerPools pools, RepositoryStore repositories, SecretVault secrets, Forges forges,
                           Agents agents) {
    public Integrations(RunnerPools pools, RepositoryStore repositories, SecretVault secrets, Forges forges) {
        this(pools, repositories, secrets, forges, Agents.none());
    }
}
