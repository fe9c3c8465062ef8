package dev.agentry.core.repo;

import java.util.List;
import java.util.Optional;

/** The repositories registered with workspaces. */
public interface RepositoryStore {
    /** Registers the repository, or replaces the registration of the same name in that workspace. */
    Repository save(Repository repository);

    Optional<Repository> find(String workspace, String name);

    List<Repository> list(String workspace);

    boolean remove(String workspace, String name);
}
