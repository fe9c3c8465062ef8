package dev.agentry.runners.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads fields out of a JSON (or YAML) tree the strict way, collecting every problem with the path to the
 * field and what was expected there, so that one answer tells the sender everything that is wrong.
 * Shared by the job protocol's codec and the manifest parser.
 */
public final class FieldReader {
    private final List<Problem> problems = new ArrayList<>();

    public void problem(String field, String message) {
        problems.add(new Problem(field, message));
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public int count() {
        return problems.size();
    }

    /** Throws {@link InvalidDefinition} listing every problem found so far, if there is any. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidDefinition(problems);
        }
    }

    /** True when {@code node} is an object; otherwise notes that {@code expected} was expected at {@code path}. */
    public boolean object(JsonNode node, String path, String expected) {
        if (node != null && node.isObject()) {
            return true;
        }
        problem(path, "expected " + expected + ", got " + describe(node));
        return false;
    }

    public void unknownFields(JsonNode node, String path, Collection<String> known) {
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problem(join(path, f), "unknown field '" + f + "'; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        });
    }

    /** The field's value, or null when it is absent or null (noting it when required). */
    public JsonNode field(JsonNode node, String field, String path, boolean required, String expected) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(join(path, field), "required field is missing; expected " + expected);
            }
            return null;
        }
        return v;
    }

    public String text(JsonNode node, String field, String path, boolean required) {
        JsonNode v = field(node, field, path, required, "a string");
        if (v == null) {
            return null;
        }
        if (v.isBoolean()) {
            // YAML 1.1 reads yes/no/on/off as booleans: a value must not quietly become "true".
            problem(join(path, field), "expected a string, got " + v.asText() + "; quote it (YAML reads yes, no, on, off, true and false as booleans)");
            return null;
        }
        if (!v.isTextual()) {
            problem(join(path, field), "expected a string, got " + describe(v));
            return null;
        }
        if (required && v.asText().isBlank()) {
            problem(join(path, field), "expected a non-empty string");
            return null;
        }
        return v.asText();
    }

    /**
     * A string that holds a secret: like {@link #text} but a wrongly typed value is described by its type only,
     * so the problem (which is shown, logged and sent back) never carries it.
     */
    public String secretText(JsonNode node, String field, String path, boolean required) {
        JsonNode v = field(node, field, path, required, "a string");
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            problem(join(path, field), "expected a string, got " + kind(v));
            return null;
        }
        return v.asText();
    }

    /** A whole number in [min, max]; null when absent (noting it when required) or wrong. */
    public Long integer(JsonNode node, String field, String path, boolean required, long min, long max) {
        JsonNode v = field(node, field, path, required, "a whole number from " + min + " to " + max);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            problem(join(path, field), "expected a whole number from " + min + " to " + max + ", got " + describe(v));
            return null;
        }
        long n = v.asLong();
        if (n < min || n > max) {
            problem(join(path, field), "expected a whole number from " + min + " to " + max + ", got " + n);
            return null;
        }
        return n;
    }

    public static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** What a value is, with a short quote of it: the same words as pipeline definitions' errors. */
    public static String describe(JsonNode node) {
        return dev.agentry.core.pipeline.PipelineParser.describe(node);
    }

    /** What a value is, without the value. */
    public static String kind(JsonNode node) {
        if (node == null || node.getNodeType() == JsonNodeType.MISSING) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}
