package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading request bodies and parameters with precise errors: which field, what was expected. */
final class Requests {
    /** A key written twice is refused, as in definitions, rather than silently taking the last value. */
    private static final ObjectReader BODY = ApiJson.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Requests() {}

    /** The body as a JSON object; an empty body is an empty object when {@code optional}. */
    static JsonNode object(Context ctx, boolean optional) {
        String body = ctx.body();
        if (body.isBlank()) {
            if (optional) {
                return ApiJson.MAPPER.createObjectNode();
            }
            throw ApiProblem.badRequest("", "the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = BODY.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw ApiProblem.badRequest("", "the body is not valid JSON" + (loc == null ? "" : " (line " + loc.getLineNr()
                    + ", column " + loc.getColumnNr() + ")") + ": " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw ApiProblem.badRequest("", "expected a JSON object, got " + kind(node));
        }
        return node;
    }

    static void allowOnly(JsonNode body, String... fields) {
        var allowed = java.util.Set.of(fields);
        body.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw ApiProblem.badRequest(f, "unknown field '" + f + "'; expected " + String.join(", ", fields));
            }
        });
    }

    static String text(JsonNode body, String field, boolean required, int maxLength) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiProblem.badRequest(field, "required field is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiProblem.badRequest(field, "expected a string, got " + kind(v));
        }
        if (required && v.asText().isBlank()) {
            throw ApiProblem.badRequest(field, "must not be empty");
        }
        if (v.asText().length() > maxLength) {
            throw ApiProblem.badRequest(field, "at most " + maxLength + " characters, got " + v.asText().length());
        }
        return storable(field, v.asText());
    }

    /** PostgreSQL text cannot hold a NUL character: refuse it here rather than fail in the database. */
    static String storable(String field, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw ApiProblem.badRequest(field, "must not contain the NUL character (\\u0000)");
        }
        return value;
    }

    static Integer positiveInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw ApiProblem.badRequest(field, "expected a positive whole number, got " + kind(v));
        }
        return v.asInt();
    }

    /** Run inputs: a flat object whose values are strings, numbers or booleans (all passed on as strings). */
    static Map<String, String> inputs(JsonNode body, String field) {
        var inputs = new LinkedHashMap<String, String>();
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return inputs;
        }
        if (!v.isObject()) {
            throw ApiProblem.badRequest(field, "expected an object of input name to value, got " + kind(v));
        }
        v.fields().forEachRemaining(e -> {
            JsonNode value = e.getValue();
            if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
                throw ApiProblem.badRequest(field + "." + e.getKey(), "expected a string, number or boolean, got " + kind(value));
            }
            if (value.asText().length() > 65_536) {
                throw ApiProblem.badRequest(field + "." + e.getKey(), "at most 65536 characters");
            }
            inputs.put(e.getKey(), storable(field + "." + e.getKey(), value.asText()));
        });
        return inputs;
    }

    static long pathId(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.badRequest(name, "expected a positive whole number, got '" + abbreviate(raw) + "'");
    }

    static Integer queryInt(Context ctx, String name, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.badRequest(name, "expected a whole number from " + min + " to " + max + ", got '" + abbreviate(raw) + "'");
    }

    /** A non-negative whole number from a query parameter (or a header's value); null when absent. */
    static Long queryLong(String name, String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(raw.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw badRequest(name, "expected an event id (a whole number, 0 or more), got '" + abbreviate(raw) + "'");
    }

    /** The optional {@code ?run=} filter: a run id. */
    static Long queryRunId(Context ctx) {
        Long run = queryLong("run", ctx.queryParam("run"));
        if (run != null && run == 0) {
            throw badRequest("run", "expected a run id (a positive whole number), got 0");
        }
        return run;
    }

    private static ApiProblem badRequest(String field, String detail) {
        return ApiProblem.badRequest(field, detail);
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
