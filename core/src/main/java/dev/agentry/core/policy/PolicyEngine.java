package dev.agentry.core.policy;

/**
 * Decides, for an action a step or agent wants to take, whether it is allowed, denied or needs a person's
 * approval, by the workspace's latest policy. A workspace with no policy allows everything
 * ({@link PolicyDecision#noPolicy()}).
 */
public interface PolicyEngine {
    /**
     * @param workspace whose policy decides; the same as {@code action.context().workspace()}
     * @return never null; {@link PolicyDecision#policyVersion()} names the version that decided, for the run's record
     */
    PolicyDecision decide(String workspace, Action action);

    /** The engine for a deployment without policies: every action is allowed, as if no workspace had one. */
    static PolicyEngine noPolicies() {
        return (workspace, action) -> PolicyDecision.noPolicy();
    }
}
