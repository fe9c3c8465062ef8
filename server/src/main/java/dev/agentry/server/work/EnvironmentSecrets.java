package dev.agentry.server.work;

import dev.agentry.core.repo.SecretVault;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets given to the server in its environment ({@code AGENTRY_SECRET_<NAME>}), the same for every
 * workspace. The encrypted vault with per-workspace secrets and leases replaces it behind {@link SecretVault}.
 */
public final class EnvironmentSecrets implements SecretVault {
    private final Map<String, String> secrets;

    public EnvironmentSecrets(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    @Override
    public Optional<String> reveal(String workspace, String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public dev.agentry.core.secret.Redactor redactor(String workspace) {
        return dev.agentry.core.secret.Redactor.of(secrets.values());
    }

    @Override
    public String toString() {
        return "EnvironmentSecrets" + secrets.keySet();
    }
}
