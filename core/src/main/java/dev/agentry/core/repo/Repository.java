package dev.agentry.core.repo;

import java.time.Instant;

/**
 * A git repository registered with a workspace: runs of pipelines that name it work on their own branch of it.
 *
 * @param url           a local path or a git URL (https, ssh, file); never with a credential in it
 * @param baseBranch    the branch task branches start from and pull requests merge into
 * @param forge         where pull requests live: {@code local} (Agentry's own) or {@code github}
 * @param credentialRef the name of the secret holding the token used to fetch and push; null for none
 */
public record Repository(String workspace, String name, String url, String baseBranch, String forge,
                         String credentialRef, Instant createdAt) {
    public static final String LOCAL_FORGE = "local";
    public static final String GITHUB_FORGE = "github";
}
