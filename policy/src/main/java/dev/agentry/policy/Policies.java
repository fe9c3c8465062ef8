package dev.agentry.policy;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyDocument;
import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** The use cases around a workspace's policy: apply a new version, read versions, and try an action against one. */
public final class Policies {
    private final PolicyStore store;
    private final CelPolicyEngine engine;

    public Policies(PolicyStore store, CelPolicyEngine engine) {
        this.store = store;
        this.engine = engine;
    }

    /**
     * Validates {@code source} (throwing {@link dev.agentry.core.pipeline.InvalidDefinition} with every problem) and
     * stores it as the workspace's next version, unless it is the same text as the latest; in force on this node
     * at once.
     */
    public PolicyStore.Applied apply(String workspace, String source) {
        CompiledPolicy policy = PolicyParser.compile(source, 0);
        PolicyStore.Applied applied = store.apply(workspace, source, digest(source));
        engine.applied(workspace, policy.asVersion(applied.version().version()));
        return applied;
    }

    /** The latest version, or {@link NotFound} when the workspace has no policy. */
    public PolicyVersion latest(String workspace) {
        return store.latest(workspace).orElseThrow(() -> new NotFound("policy", "workspace '" + workspace + "' has no policy"));
    }

    public PolicyVersion version(String workspace, int version) {
        return store.version(workspace, version).orElseThrow(() -> {
            int latest = store.latestVersion(workspace);
            return new NotFound("version", latest == 0 ? "workspace '" + workspace + "' has no policy"
                    : "the policy has no version " + version + "; its latest is " + latest);
        });
    }

    /** Newest first; empty when the workspace has no policy. */
    public List<PolicyVersion> versions(String workspace) {
        return store.versions(workspace);
    }

    public PolicyDocument document(PolicyVersion version) {
        return engine.compiled(version).document();
    }

    /** What the latest policy decides about {@code action}, exactly as a run would be answered. */
    public PolicyDecision decide(String workspace, Action action) {
        return engine.decide(workspace, action);
    }

    /** What a given version would decide: for trying a policy out, not for runs (which use the latest). */
    public PolicyDecision decide(String workspace, Action action, int version) {
        return engine.compiled(version(workspace, version)).decide(action);
    }

    static String digest(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
