package dev.agentry.core.repo;

import java.util.Optional;

/**
 * Where secrets referenced by name (a repository's credential, a manifest's {@code secretRef}) are found.
 * For now the server's configuration and environment; the encrypted vault replaces it behind this port.
 */
public interface SecretVault {
    Optional<String> reveal(String workspace, String name);
}
