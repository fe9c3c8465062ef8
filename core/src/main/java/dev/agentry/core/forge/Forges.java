package dev.agentry.core.forge;

import dev.agentry.core.repo.Repository;

/** Finds the forge a registered repository's pull requests live on, and what to call it with. */
public interface Forges {
    Forge forRepository(Repository repository) throws Forge.ForgeFailure;

    /** The repository as the forge is called with it: its credential (or the forge's configured token) revealed. */
    ForgeRepository target(Repository repository) throws Forge.ForgeFailure;

    /** No forge at all: pull request steps fail saying so. For embedding the engine without repositories. */
    static Forges none() {
        return new Forges() {
            @Override
            public Forge forRepository(Repository repository) throws Forge.ForgeFailure {
                throw new Forge.ForgeFailure("no forge is configured", true);
            }

            @Override
            public ForgeRepository target(Repository repository) throws Forge.ForgeFailure {
                throw new Forge.ForgeFailure("no forge is configured", true);
            }
        };
    }
}
