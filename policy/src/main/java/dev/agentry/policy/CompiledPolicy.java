package dev.agentry.policy;

import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.ActionKinds;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyDocument;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy document with every condition compiled once, ready to decide. Immutable and safe to share between
 * threads: a decision parses nothing and evaluates the pre-compiled programs in order.
 *
 * <p>Rules whose condition starts by naming the kinds it is about ({@code action.kind == "git-push" && ...} or
 * {@code action.kind in [...] && ...}) are not tried for other kinds: for most policies a decision evaluates a
 * few conditions rather than all of them, with the same outcome.
 *
 * <p><b>When a condition cannot be evaluated</b> (it names an attribute this kind of action does not have, or
 * compares values of types that do not compare), that rule counts as not matching and the next rule is tried;
 * if no rule matches, the default decides and its reason lists every rule that could not be evaluated and why.
 * A rule cannot match on an error because there would be no answer to "matched what?"; the cost is that a
 * {@code deny} rule that errors does not deny. Write conditions that hold for the kinds they mean
 * ({@code action.kind == "run-command" && ...}, evaluated left to right and stopping at the first false), or use
 * {@code has(action.x)}, and choose a cautious default.
 */
public final class CompiledPolicy {
    private final int version;
    private final PolicyDocument document;
    private final List<Rule> rules;
    /** For each kind of action, the rules that can match it, in order: what a decision tries. */
    private final Map<String, List<Rule>> byKind;

    record Rule(PolicyDocument.Rule rule, Conditions.Condition condition) {
        boolean canMatch(String kind) {
            return condition.kinds() == null || condition.kinds().contains(kind);
        }
    }

    CompiledPolicy(int version, PolicyDocument document, List<Rule> rules) {
        this.version = version;
        this.document = document;
        this.rules = List.copyOf(rules);
        var byKind = new HashMap<String, List<Rule>>();
        for (String kind : ActionKinds.names()) {
            byKind.put(kind, this.rules.stream().filter(r -> r.canMatch(kind)).toList());
        }
        this.byKind = Map.copyOf(byKind);
    }

    /** The stored version this was compiled from; 0 for a document that was never stored. */
    public int version() {
        return version;
    }

    public PolicyDocument document() {
        return document;
    }

    /** The same compiled rules, recorded as {@code version}: a parsed document that has just been stored. */
    CompiledPolicy asVersion(int version) {
        return new CompiledPolicy(version, document, rules);
    }

    public PolicyDecision decide(Action action) {
        CelVariableResolver variables = Conditions.variables(action);
        List<String> failures = null;
        for (Rule rule : byKind.getOrDefault(action.kind(), rules)) {
            Object result;
            try {
                result = rule.condition().program().eval(variables);
            } catch (CelEvaluationException e) {
                String message = e.getMessage().endsWith(".") ? e.getMessage().substring(0, e.getMessage().length() - 1) : e.getMessage();
                failures = add(failures, "rule '" + rule.rule().name() + "' could not be evaluated: " + message);
                continue;
            }
            if (result instanceof Boolean matched) {
                if (matched) {
                    return PolicyDecision.matched(rule.rule(), version);
                }
            } else {
                failures = add(failures, "rule '" + rule.rule().name() + "' gave " + result + " rather than true or false");
            }
        }
        String reason = "no rule matched; the policy's default is " + document.defaultVerdict().wireName();
        if (failures != null) {
            reason += " (" + String.join("; ", failures) + ")";
        }
        return PolicyDecision.byDefault(document.defaultVerdict(), reason, version);
    }

    private static List<String> add(List<String> list, String failure) {
        var failures = list == null ? new ArrayList<String>() : list;
        failures.add(failure);
        return failures;
    }
}
