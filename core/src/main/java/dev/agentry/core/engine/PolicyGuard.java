package dev.agentry.core.engine;

import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyEngine;
import dev.agentry.core.run.RunState;
import dev.agentry.core.run.StepOutcome;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks the workspace's policy before a step acts: a command is run, a branch pushed, a pull request opened or
 * merged, a secret leased. A denied action ends the attempt as failed before anything happens; one that needs
 * approval ends it as a question to a human, and once approved the next attempt goes ahead (the approval is kept
 * in the step's memo, for that very action only).
 */
final class PolicyGuard {
    private final PolicyEngine policy;

    PolicyGuard(PolicyEngine policy) {
        this.policy = policy;
    }

    /** Null when the action may go ahead; otherwise how the attempt ends instead. */
    StepOutcome check(Claim claim, Action action, java.util.function.Consumer<String> log) {
        PolicyDecision decision;
        try {
            decision = policy.decide(claim.workspace(), action);
        } catch (RuntimeException e) {
            return StepOutcome.failed(claim.ref(), "the policy could not decide on " + action.kind() + " (" + e.getMessage()
                    + "); nothing was done", null, null);
        }
        String by = decision.policyVersion() == 0 ? null
                : "policy v" + decision.policyVersion() + ", rule " + decision.rule();
        return switch (decision.verdict()) {
            case ALLOW -> {
                if (by != null) {
                    log.accept(by + " allowed " + describe(action));
                }
                yield null;
            }
            case DENY -> StepOutcome.failed(claim.ref(), "denied by " + by + ": " + describe(action)
                    + (decision.reason() == null ? "" : " (" + decision.reason() + ")") + "; nothing was done", null, null);
            case NEEDS_APPROVAL -> {
                String fingerprint = fingerprint(action);
                if (approved(claim.memo()).contains(fingerprint)) {
                    log.accept(by + ": " + describe(action) + " was approved");
                    yield null;
                }
                yield StepOutcome.asked(claim.ref(), "Approve " + describe(action) + "? " + by + " needs a human's approval"
                        + (decision.reason() == null ? "" : ": " + decision.reason()), null, Map.of(RunState.POLICY_PENDING, fingerprint));
            }
        };
    }

    /** The action in words, for questions, errors and logs. */
    static String describe(Action action) {
        var attributes = new TreeMap<>(action.attributes());
        attributes.remove("kind");
        return action.kind() + " " + attributes;
    }

    /** Identifies one action of one step: an approval covers that action and no other. */
    static String fingerprint(Action action) {
        return Integer.toHexString((action.kind() + new TreeMap<>(action.attributes())).hashCode());
    }

    private static java.util.Set<String> approved(Map<String, String> memo) {
        String list = memo.get(RunState.POLICY_APPROVED);
        return list == null ? java.util.Set.of() : new LinkedHashSet<>(Arrays.asList(list.split(",")));
    }
}
