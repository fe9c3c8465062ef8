package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.agents.builtin.AgentTool.Refused;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading a tool call's arguments and describing them as a JSON schema. */
final class ToolInput {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolInput() {}

    static String requiredText(JsonNode input, String field) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            throw new Refused(field + " is required");
        }
        if (!value.isTextual()) {
            throw new Refused(field + " must be a string");
        }
        return value.asText();
    }

    static String optionalText(JsonNode input, String field, String fallback) {
        JsonNode value = input.get(field);
        return value == null || value.isNull() ? fallback : requiredText(input, field);
    }

    static int optionalInt(JsonNode input, String field, int fallback, int min, int max) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !(value.isIntegralNumber() || value.isTextual() && value.asText().matches("-?\\d+"))) {
            throw new Refused(field + " must be an integer");
        }
        int n = value.asInt();
        if (n < min || n > max) {
            throw new Refused(field + " must be between " + min + " and " + max);
        }
        return n;
    }

    static Map<String, String> optionalStrings(JsonNode input, String field) {
        JsonNode value = input.get(field);
        Map<String, String> strings = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return strings;
        }
        if (!value.isObject()) {
            throw new Refused(field + " must be an object of strings");
        }
        value.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new Refused(field + "." + e.getKey() + " must be a string");
            }
            strings.put(e.getKey(), e.getValue().asText());
        });
        return strings;
    }

    /** A JSON schema of an object; {@code properties} alternate name, type, description; required names first. */
    static JsonNode schema(String[] required, String... properties) {
        ObjectNode schema = MAPPER.createObjectNode();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (int i = 0; i < properties.length; i += 3) {
            ObjectNode p = props.putObject(properties[i]);
            p.put("type", properties[i + 1]);
            p.put("description", properties[i + 2]);
            if ("object".equals(properties[i + 1])) {
                p.putObject("additionalProperties").put("type", "string");
            }
        }
        var req = schema.putArray("required");
        for (String r : required) {
            req.add(r);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    static String[] required(String... names) {
        return names;
    }
}
