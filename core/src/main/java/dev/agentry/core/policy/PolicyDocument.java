package dev.agentry.core.policy;

import java.util.List;
import java.util.Objects;

/**
 * A workspace's policy as written: rules tried in order, the first whose condition holds deciding, and a default
 * for actions no rule matches. Conditions are CEL expressions over {@code action} and {@code run}; they are
 * checked when the document is parsed, so a stored policy always compiles.
 */
public record PolicyDocument(String name, String description, Verdict defaultVerdict, List<Rule> rules) {
    public PolicyDocument {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultVerdict, "defaultVerdict");
        rules = List.copyOf(rules);
    }

    /** One rule: when {@code when} holds for an action, the policy answers {@code verdict}; {@code reason} may be null. */
    public record Rule(String name, String when, Verdict verdict, String reason) {
        public Rule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(verdict, "verdict");
        }
    }
}
