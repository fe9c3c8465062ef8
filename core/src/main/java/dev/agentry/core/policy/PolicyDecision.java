package dev.agentry.core.policy;

import java.util.Objects;

/**
 * What a workspace's policy decided about one action, and why: the rule that matched (or {@value #DEFAULT} when
 * none did, or {@value #NO_POLICY} when the workspace has no policy), a human reason, and the policy version that
 * decided, so a run can record exactly which version let it act.
 */
public record PolicyDecision(Verdict verdict, String rule, String reason, int policyVersion) {
    /** The rule name of a decision made by the policy's default because no rule matched. */
    public static final String DEFAULT = "default";
    /** The rule name of a decision made for a workspace that has no policy (version 0). */
    public static final String NO_POLICY = "no-policy";

    public PolicyDecision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
        if (policyVersion < 0) {
            throw new IllegalArgumentException("policyVersion must be 0 or more, got " + policyVersion);
        }
    }

    /** A workspace without a policy allows everything. */
    public static PolicyDecision noPolicy() {
        return new PolicyDecision(Verdict.ALLOW, NO_POLICY, "the workspace has no policy; everything is allowed", 0);
    }

    public static PolicyDecision matched(PolicyDocument.Rule rule, int policyVersion) {
        String reason = rule.reason() != null ? rule.reason() : "rule '" + rule.name() + "' matched";
        return new PolicyDecision(rule.verdict(), rule.name(), reason, policyVersion);
    }

    public static PolicyDecision byDefault(Verdict verdict, String reason, int policyVersion) {
        return new PolicyDecision(verdict, DEFAULT, reason, policyVersion);
    }

    public boolean allowed() {
        return verdict == Verdict.ALLOW;
    }
}
