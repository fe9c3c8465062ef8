package dev.agentry.core.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.ReadContext;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.agentry.core.pipeline.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a delivery's JSON payload becomes a run's inputs: each input has an expression, compiled once.
 *
 * <ul>
 *   <li>{@code $.issue.title}: a JSONPath (Jayway). Its value is the input: a string, number or boolean as text,
 *       an object or list as compact JSON.</li>
 *   <li>{@code Fix #{{ $.issue.number }}: {{ $.issue.title }}}: text with references, each a JSONPath or
 *       {@code hook.event} (the event's name) or {@code hook.delivery} (the delivery's id).</li>
 *   <li>{@code main}: text without references is a constant.</li>
 * </ul>
 *
 * <p>An expression that finds no value (a missing field, a null, a filter that matches nothing) makes the delivery
 * unmappable, naming the input and the expression: a run never starts with a silently empty input.
 */
public final class PayloadMapping {
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*(.*?)\\s*}}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration PATHS = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider(JSON))
            .mappingProvider(new JacksonMappingProvider(JSON))
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();

    /** What a reference or expression reads. */
    private sealed interface Source {
        String text();

        record Path(String text, JsonPath path) implements Source {}

        record HookEvent(String text) implements Source {}

        record HookDelivery(String text) implements Source {}
    }

    /** One input's expression: the whole value from one JSONPath, or text with references between literal parts. */
    private record Expression(String text, List<String> literals, List<Source> sources) {}

    /** A parsed payload, ready for JSONPath. */
    public static final class Payload {
        private final ReadContext document;

        private Payload(ReadContext document) {
            this.document = document;
        }
    }

    /** What a delivery tells besides its payload, for {@code hook.*} references. */
    public record Hook(String event, String deliveryId) {}

    /** A delivery whose payload has no value for an input's expression. */
    public static final class Unmappable extends RuntimeException {
        private final String input;
        private final String expression;

        Unmappable(String input, String expression, String why) {
            super("input '" + input + "': " + why);
            this.input = input;
            this.expression = expression;
        }

        public String input() {
            return input;
        }

        public String expression() {
            return expression;
        }
    }

    /** A body that is not JSON. */
    public static final class NotJson extends RuntimeException {
        NotJson(String message) {
            super(message);
        }
    }

    private final Map<String, Expression> expressions;

    private PayloadMapping(Map<String, Expression> expressions) {
        this.expressions = expressions;
    }

    /**
     * Compiles a trigger's mapping; what cannot be compiled is added to {@code problems}, each naming
     * {@code inputs.NAME}, and the mapping returned is then incomplete.
     */
    public static PayloadMapping compile(Map<String, String> inputs, List<Problem> problems) {
        var expressions = new LinkedHashMap<String, Expression>();
        inputs.forEach((input, text) -> {
            String field = "inputs." + input;
            if (text == null || text.isEmpty()) {
                problems.add(new Problem(field, "expected a JSONPath such as $.issue.title, or text; got nothing"));
                return;
            }
            if (text.startsWith("$")) {
                Source.Path path = path(text, field, problems);
                if (path != null) {
                    expressions.put(input, new Expression(text, List.of("", ""), List.of(path)));
                }
                return;
            }
            var literals = new ArrayList<String>();
            var sources = new ArrayList<Source>();
            Matcher m = REFERENCE.matcher(text);
            int at = 0;
            boolean ok = true;
            while (m.find()) {
                literals.add(text.substring(at, m.start()));
                at = m.end();
                String ref = m.group(1);
                Source source = switch (ref) {
                    case "hook.event" -> new Source.HookEvent(ref);
                    case "hook.delivery" -> new Source.HookDelivery(ref);
                    default -> {
                        if (!ref.startsWith("$")) {
                            problems.add(new Problem(field, "'{{ " + ref + " }}' is not a reference; expected a JSONPath "
                                    + "such as {{ $.issue.title }}, or {{ hook.event }} or {{ hook.delivery }}"));
                            yield null;
                        }
                        yield path(ref, field, problems);
                    }
                };
                if (source == null) {
                    ok = false;
                } else {
                    sources.add(source);
                }
            }
            literals.add(text.substring(at));
            if (ok) {
                expressions.put(input, new Expression(text, literals, sources));
            }
        });
        return new PayloadMapping(expressions);
    }

    /** Compiles a mapping that must be valid (one that was checked when its trigger was saved). */
    public static PayloadMapping compile(Map<String, String> inputs) {
        var problems = new ArrayList<Problem>();
        var mapping = compile(inputs, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems.stream().map(Problem::toString).toList()));
        }
        return mapping;
    }

    private static Source.Path path(String text, String field, List<Problem> problems) {
        try {
            return new Source.Path(text, JsonPath.compile(text));
        } catch (InvalidPathException | IllegalArgumentException e) {
            problems.add(new Problem(field, "'" + text + "' is not a valid JSONPath: " + e.getMessage()));
            return null;
        }
    }

    /** Parses a body as JSON. */
    public static Payload parse(byte[] body) {
        Object tree;
        try {
            tree = JSON.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            throw new NotJson("the payload is not JSON (" + e.getOriginalMessage() + "); send it as application/json");
        } catch (IOException e) {
            throw new NotJson("the payload could not be read as JSON");
        }
        if (tree == null) {
            throw new NotJson("the payload is empty; expected a JSON object");
        }
        return new Payload(JsonPath.using(PATHS).parse(tree));
    }

    /**
     * The value of one JSONPath in the payload as text (a scalar as itself, anything else as JSON); null when it
     * has none.
     */
    public static String read(Payload payload, JsonPath path) {
        Object value = payload.document.read(path);
        if (value instanceof List<?> list && !path.isDefinite()) {
            var found = list.stream().filter(v -> v != null).toList();
            if (found.isEmpty()) {
                return null;
            }
            value = found.size() == 1 ? found.get(0) : found;
        }
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    /** The inputs for one delivery, in the mapping's order. */
    public Map<String, String> apply(Payload payload, Hook hook) {
        var inputs = new LinkedHashMap<String, String>();
        expressions.forEach((input, expression) -> {
            var out = new StringBuilder(expression.literals().get(0));
            for (int i = 0; i < expression.sources().size(); i++) {
                Source source = expression.sources().get(i);
                String value = switch (source) {
                    case Source.Path p -> read(payload, p.path());
                    case Source.HookEvent e -> hook.event();
                    case Source.HookDelivery d -> hook.deliveryId();
                };
                if (value == null) {
                    throw new Unmappable(input, source.text(), source instanceof Source.Path
                            ? "the payload has no value at " + source.text()
                            : "the delivery names no event, so " + source.text() + " has no value");
                }
                out.append(value).append(expression.literals().get(i + 1));
            }
            inputs.put(input, out.toString());
        });
        return inputs;
    }
}
