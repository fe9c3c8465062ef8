package dev.agentry.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Fields;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.pipeline.Problem;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyDocument;
import dev.agentry.core.policy.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a policy document from YAML or JSON and validates all of it, conditions included, reporting every problem
 * with the path to the field ({@code rules[2].when}) and what was expected there:
 *
 * <pre>
 * name: guardrails
 * default: allow
 * rules:
 *   - name: no-force-deletes
 *     when: action.kind == "run-command" &amp;&amp; action.command.matches("rm\\s+-[a-z]*r[a-z]*f")
 *     decision: deny
 *     reason: recursive forced deletes are not allowed
 * </pre>
 */
public final class PolicyParser {
    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final int MAX_RULES = 500;
    private static final int MAX_REASON = 1_000;
    private static final Set<String> TOP_FIELDS = Set.of("name", "description", "default", "rules");
    private static final Set<String> RULE_FIELDS = Set.of("name", "when", "decision", "reason");
    private static final String VERDICTS = "allow, deny or needs-approval";


    private final List<Problem> problems = new ArrayList<>();

    private PolicyParser() {}

    /** Parses and validates; throws {@link InvalidDefinition} listing every problem. */
    public static PolicyDocument parse(String source) {
        return compile(source, 0).document();
    }

    /** Parses, validates and compiles every condition, as the engine needs it; {@code version} is what decisions record. */
    public static CompiledPolicy compile(String source, int version) {
        JsonNode root = Fields.document(source, "policy", "a YAML or JSON object with name, default and rules");
        return new PolicyParser().policy(root, version);
    }

    private CompiledPolicy policy(JsonNode root, int version) {
        if (!root.isObject()) {
            throw InvalidDefinition.of("", "expected an object with name, default and rules, got " + PipelineParser.describe(root));
        }
        unknownFields(root, "", TOP_FIELDS);
        String name = text(root, "name", "", true);
        if (name != null && !PipelineParser.NAME.matcher(name).matches()) {
            problem("name", "'" + name + "' is not a valid policy name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        String description = text(root, "description", "", false);
        Verdict defaultVerdict = verdict(root, "default", "");
        List<CompiledPolicy.Rule> rules = rules(root.get("rules"));
        if (!problems.isEmpty()) {
            throw new InvalidDefinition(problems);
        }
        var document = new PolicyDocument(name, description, defaultVerdict, rules.stream().map(CompiledPolicy.Rule::rule).toList());
        return new CompiledPolicy(version, document, rules);
    }

    private List<CompiledPolicy.Rule> rules(JsonNode node) {
        var rules = new ArrayList<CompiledPolicy.Rule>();
        if (node == null || node.isNull()) {
            return rules; // a policy may be its default alone
        }
        if (!node.isArray()) {
            problem("rules", "expected a list of rules, got " + PipelineParser.describe(node));
            return rules;
        }
        if (node.size() > MAX_RULES) {
            problem("rules", "at most " + MAX_RULES + " rules are allowed, got " + node.size());
            return rules;
        }
        var names = new HashSet<String>();
        for (int i = 0; i < node.size(); i++) {
            String path = "rules[" + i + "]";
            JsonNode raw = node.get(i);
            if (raw == null || !raw.isObject()) {
                problem(path, "expected a rule object with name, when and decision, got " + PipelineParser.describe(raw));
                continue;
            }
            int before = problems.size();
            unknownFields(raw, path, RULE_FIELDS);
            String name = text(raw, "name", path, true);
            if (name != null && !RULE_NAME.matcher(name).matches()) {
                problem(path + ".name", "'" + name + "' is not a valid rule name; expected letters, digits, '-' or '_' (at most 63)");
            } else if (name != null && (name.equals(PolicyDecision.DEFAULT) || name.equals(PolicyDecision.NO_POLICY))) {
                problem(path + ".name", "'" + name + "' is reserved: decisions name it when no rule decided");
            } else if (name != null && !names.add(name)) {
                problem(path + ".name", "duplicate rule name '" + name + "'");
            }
            String when = condition(raw, path);
            var condition = when == null ? null : Conditions.compile(when, path + ".when", problems).orElse(null);
            Verdict verdict = verdict(raw, "decision", path);
            String reason = text(raw, "reason", path, false);
            if (reason != null && reason.length() > MAX_REASON) {
                problem(path + ".reason", "at most " + MAX_REASON + " characters, got " + reason.length());
            }
            if (reason != null && reason.isBlank()) {
                reason = null;
            }
            if (problems.size() == before) {
                rules.add(new CompiledPolicy.Rule(new PolicyDocument.Rule(name, when, verdict, reason), condition));
            }
        }
        return rules;
    }

    /** A CEL expression; a YAML or JSON {@code true} or {@code false} is the condition it reads as. */
    private String condition(JsonNode rule, String path) {
        JsonNode v = rule.get("when");
        if (v != null && v.isBoolean()) {
            return v.asText();
        }
        String when = text(rule, "when", path, true);
        if (when != null && when.length() > Conditions.MAX_LENGTH) {
            problem(path + ".when", "at most " + Conditions.MAX_LENGTH + " characters, got " + when.length());
            return null;
        }
        return when;
    }

    private Verdict verdict(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            problem(join(path, field), "required field is missing; expected " + VERDICTS);
            return null;
        }
        Verdict verdict = v.isTextual() ? Verdict.fromWireName(v.asText()).orElse(null) : null;
        if (verdict == null) {
            problem(join(path, field), "expected " + VERDICTS + ", got " + PipelineParser.describe(v)
                    + (v.isBoolean() ? " (YAML reads yes, no, on and off as booleans)" : ""));
        }
        return verdict;
    }

    private void unknownFields(JsonNode node, String path, Set<String> allowed) {
        Fields.unknown(problems, node, path, allowed);
    }

    private String text(JsonNode node, String field, String path, boolean required) {
        return Fields.text(problems, node, field, path, required);
    }

    private void problem(String field, String message) {
        problems.add(new Problem(field, message));
    }

    private static String join(String path, String field) {
        return Fields.join(path, field);
    }
}
