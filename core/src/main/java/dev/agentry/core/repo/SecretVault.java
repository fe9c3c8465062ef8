package dev.agentry.core.repo;

import dev.agentry.core.secret.Lease;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.core.secret.Redactor;
import java.util.List;
import java.util.Optional;

/**
 * Where secrets referenced by name (a repository's credential, a manifest's {@code secretRef}, a step's
 * {@code {{ secrets.NAME }}}) are found: the workspace's vault, then the secrets every node is given.
 */
public interface SecretVault {
    Optional<String> reveal(String workspace, String name);

    /**
     * A single-use, short-lived handle on a secret that a job exchanges for its value as it starts.
     *
     * @throws IllegalStateException where secrets cannot be leased (an engine assembled without a vault)
     */
    default Lease lease(LeaseRequest request) {
        throw new IllegalStateException("secrets cannot be leased here: there is no vault");
    }

    /** What takes every known secret value of the workspace out of text: logs, errors, outputs, prompts. */
    default Redactor redactor(String workspace) {
        return Redactor.of(List.of());
    }
}
