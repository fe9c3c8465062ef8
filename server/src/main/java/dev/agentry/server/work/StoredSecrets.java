package dev.agentry.server.work;

import dev.agentry.core.repo.SecretVault;
import dev.agentry.core.secret.Lease;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.core.secret.Redactor;
import dev.agentry.core.secret.Secrets;
import java.util.Optional;

/**
 * The secrets steps and integrations use: the workspace's own, stored in the vault, and, for names the vault
 * does not hold, those given to every node as {@code AGENTRY_SECRET_<NAME>} (deployment-wide ones, such as a
 * runner pool's token).
 */
public final class StoredSecrets implements SecretVault {
    private final Secrets vault;
    private final SecretVault environment;

    public StoredSecrets(Secrets vault, SecretVault environment) {
        this.vault = vault;
        this.environment = environment;
    }

    @Override
    public Optional<String> reveal(String workspace, String name) {
        var stored = vault.reveal(workspace, name);
        return stored.isPresent() ? stored : environment.reveal(workspace, name);
    }

    /** Leases come from the vault: a secret only given in the environment cannot be leased to a job. */
    @Override
    public Lease lease(LeaseRequest request) {
        return vault.lease(request);
    }

    @Override
    public Redactor redactor(String workspace) {
        return vault.redactor(workspace).and(environment.redactor(workspace));
    }
}
