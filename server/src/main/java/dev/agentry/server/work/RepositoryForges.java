package dev.agentry.server.work;

import dev.agentry.core.forge.Forge;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.Forges;
import dev.agentry.core.repo.Repository;
import dev.agentry.core.repo.SecretVault;

/**
 * A repository's forge: Agentry's own local forge, or GitHub. The GitHub forge calls with the repository's
 * credential, or the configured GitHub token when the repository has none.
 */
public final class RepositoryForges implements Forges {
    private final Forge local;
    private final Forge github;
    private final String githubToken;
    private final SecretVault secrets;

    public RepositoryForges(Forge local, Forge github, String githubToken, SecretVault secrets) {
        this.local = local;
        this.github = github;
        this.githubToken = githubToken;
        this.secrets = secrets;
    }

    @Override
    public Forge forRepository(Repository repository) throws Forge.ForgeFailure {
        return switch (repository.forge()) {
            case Repository.LOCAL_FORGE -> local;
            case Repository.GITHUB_FORGE -> github;
            default -> throw new Forge.ForgeFailure("repository '" + repository.name() + "' names an unknown forge '"
                    + repository.forge() + "'", true);
        };
    }

    @Override
    public ForgeRepository target(Repository repository) throws Forge.ForgeFailure {
        String credential = null;
        if (repository.credentialRef() != null) {
            credential = secrets.reveal(repository.workspace(), repository.credentialRef()).orElseThrow(() ->
                    new Forge.ForgeFailure("repository '" + repository.name() + "' names credential '"
                            + repository.credentialRef() + "', which is not set", true));
        } else if (Repository.GITHUB_FORGE.equals(repository.forge())) {
            if (githubToken == null) {
                throw new Forge.ForgeFailure("repository '" + repository.name() + "' is on GitHub but no token is configured;"
                        + " set AGENTRY_GITHUB_TOKEN or give the repository a credential", true);
            }
            credential = githubToken;
        }
        return new ForgeRepository(repository.workspace(), repository.name(), repository.url(), repository.baseBranch(), credential);
    }
}
