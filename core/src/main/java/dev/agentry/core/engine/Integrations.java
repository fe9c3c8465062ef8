package dev.agentry.core.engine;

import dev.agentry.core.agent.Agents;
import dev.agentry.core.audit.ExternalWrites;
import dev.agentry.core.audit.NoopAuditLog;
import dev.agentry.core.policy.PolicyEngine;
import dev.agentry.core.forge.Forges;
import dev.agentry.core.job.RunnerPools;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.repo.SecretVault;

/**
 * What a node executes steps with besides the database: where jobs run, the repositories, secrets and forges,
 * the agents with their models, the audited way out ({@link ExternalWrites}) every push, pull request and
 * merge goes through, and the policy that decides whether they may happen at all.
 */
public record Integrations(RunnerPools pools, RepositoryStore repositories, SecretVault secrets, Forges forges,
                           Agents agents, ExternalWrites writes, PolicyEngine policy) {
    /** Without agents, an audit log or policies: for engines assembled for tests of other parts. */
    public Integrations(RunnerPools pools, RepositoryStore repositories, SecretVault secrets, Forges forges) {
        this(pools, repositories, secrets, forges, Agents.none(), new ExternalWrites(new NoopAuditLog()), PolicyEngine.noPolicies());
    }
}
