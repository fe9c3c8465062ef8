package dev.agentry.core.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Set;

/**
 * Reading fields of a YAML or JSON document with precise problems (the path to the field, what was expected):
 * the one way pipeline and policy definitions check theirs.
 */
public final class Fields {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Fields() {}

    /**
     * The document's root as written: YAML or JSON (duplicate keys refused). Empty text, a NUL character, text
     * that is not YAML (with its line and column) and a document of only comments are refused whole.
     *
     * @param what     what the document is, for messages: "definition", "policy"
     * @param expected what its root should hold: "a YAML or JSON object with name and steps"
     */
    public static JsonNode document(String source, String what, String expected) {
        if (source == null || source.isBlank()) {
            throw InvalidDefinition.of("", "the " + what + " is empty; expected " + expected);
        }
        int nul = source.indexOf('\u0000');
        if (nul >= 0) {
            throw InvalidDefinition.of("", "the " + what + " contains a NUL character (at offset " + nul + "); it must be text");
        }
        JsonNode root;
        try {
            root = YAML.readTree(source);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
            throw InvalidDefinition.of("", "not valid YAML or JSON: " + where + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || (root.isTextual() && root.asText().isEmpty())) {
            // only comments, or a bare "---": nothing was written
            throw InvalidDefinition.of("", "the " + what + " is empty; expected " + expected);
        }
        return root;
    }

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
