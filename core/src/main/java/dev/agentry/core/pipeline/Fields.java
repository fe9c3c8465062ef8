package dev.agentry.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * Reading fields of a YAML or JSON document with precise problems (the path to the field, what was expected):
 * the one way pipeline and policy definitions check theirs.
 */
public final class Fields {
    private Fields() {}

    /** Adds a problem for every field of {@code node} that is not {@code allowed}. */
    public static void unknown(List<Problem> problems, JsonNode node, String path, Set<String> allowed) {
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problems.add(new Problem(join(path, f), "unknown field '" + f + "'; expected one of "
                        + String.join(", ", allowed.stream().sorted().toList())));
            }
        });
    }

    /** A string field (a number is read as its text); null, with a problem when it is required, if absent or not text. */
    public static String text(List<Problem> problems, JsonNode node, String field, String path, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(new Problem(join(path, field), "required field is missing"));
            }
            return null;
        }
        if (v.isBoolean()) {
            // YAML 1.1 reads yes/no/on/off as booleans: `id: yes` must not quietly become the step "true".
            problems.add(new Problem(join(path, field), "expected a string, got " + v.asText()
                    + "; quote it (YAML reads yes, no, on, off, true and false as booleans)"));
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            problems.add(new Problem(join(path, field), "expected a string, got " + PipelineParser.describe(v)));
            return null;
        }
        String s = v.asText();
        if (required && s.isBlank()) {
            problems.add(new Problem(join(path, field), "must not be empty"));
            return null;
        }
        return s;
    }

    /** {@code steps[0]} and {@code run} -> {@code steps[0].run}; a top-level field is its own name. */
    public static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
