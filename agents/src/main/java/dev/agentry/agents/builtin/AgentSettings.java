package dev.agentry.agents.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * How one built-in agent works: its model, its instructions, what it may do and when it must stop. Travels to a
 * runner as JSON in {@code AGENTRY_AGENT}; {@link #fromJson} refuses anything it does not know, naming the field.
 *
 * @param model           the provider's model name
 * @param system          the system prompt; null or blank means Agentry's default coding-agent instructions
 * @param tools           the tools offered, by name; null means all. {@code finish} is always offered.
 * @param commands        what {@code run_command} may run: patterns where {@code *} stands for any arguments
 * @param maxTurns        model calls per attempt, counting turns restored from a checkpoint
 * @param maxTokens       prompt and reply tokens this process may use before it stops
 * @param wallTime        how long this process may work before it stops
 * @param noProgressTurns consecutive tool-calling turns that change no file before it stops
 * @param maxReplyTokens  the most the model may write in one reply
 */
public record AgentSettings(String model, String system, List<String> tools, List<String> commands, int maxTurns,
                            long maxTokens, Duration wallTime, int noProgressTurns, int maxReplyTokens) {

    /** Every tool the built-in agent knows. */
    public static final List<String> ALL_TOOLS = List.of("list_files", "read_file", "search", "write_file",
            "edit_file", "run_command", "ask_human", "finish");

    public static final int DEFAULT_MAX_TURNS = 40;
    public static final long DEFAULT_MAX_TOKENS = 2_000_000;
    public static final Duration DEFAULT_WALL_TIME = Duration.ofMinutes(30);
    public static final int DEFAULT_NO_PROGRESS_TURNS = 8;
    public static final int DEFAULT_MAX_REPLY_TOKENS = 8192;

    private static final List<String> FIELDS = List.of("model", "system", "tools", "commands", "maxTurns",
            "maxTokens", "wallTime", "noProgressTurns", "maxReplyTokens");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public AgentSettings {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model: required");
        }
        if (tools != null) {
            for (String tool : tools) {
                if (!ALL_TOOLS.contains(tool)) {
                    throw new IllegalArgumentException("tools: unknown tool \"" + tool + "\" (known: "
                            + String.join(", ", ALL_TOOLS) + ")");
                }
            }
            tools = List.copyOf(tools);
        }
        commands = commands == null ? List.of() : List.copyOf(commands);
        positive("maxTurns", maxTurns);
        positive("maxTokens", maxTokens);
        positive("noProgressTurns", noProgressTurns);
        positive("maxReplyTokens", maxReplyTokens);
        if (wallTime == null || wallTime.isNegative() || wallTime.isZero()) {
            throw new IllegalArgumentException("wallTime: expected a positive duration");
        }
    }

    /** Settings with every limit at its default and no commands allowed. */
    public static AgentSettings of(String model, String system) {
        return new AgentSettings(model, system, null, List.of(), DEFAULT_MAX_TURNS, DEFAULT_MAX_TOKENS,
                DEFAULT_WALL_TIME, DEFAULT_NO_PROGRESS_TURNS, DEFAULT_MAX_REPLY_TOKENS);
    }

    public AgentSettings withTools(List<String> tools) {
        return new AgentSettings(model, system, tools, commands, maxTurns, maxTokens, wallTime, noProgressTurns, maxReplyTokens);
    }

    public AgentSettings withCommands(List<String> commands) {
        return new AgentSettings(model, system, tools, commands, maxTurns, maxTokens, wallTime, noProgressTurns, maxReplyTokens);
    }

    public AgentSettings withLimits(int maxTurns, long maxTokens, Duration wallTime, int noProgressTurns) {
        return new AgentSettings(model, system, tools, commands, maxTurns, maxTokens, wallTime, noProgressTurns, maxReplyTokens);
    }

    public boolean allows(String tool) {
        return "finish".equals(tool) || tools == null || tools.contains(tool);
    }

    public String toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("model", model);
        if (system != null) {
            node.put("system", system);
        }
        if (tools != null) {
            tools.forEach(node.putArray("tools")::add);
        }
        commands.forEach(node.putArray("commands")::add);
        node.put("maxTurns", maxTurns);
        node.put("maxTokens", maxTokens);
        node.put("wallTime", wallTime.toString());
        node.put("noProgressTurns", noProgressTurns);
        node.put("maxReplyTokens", maxReplyTokens);
        return node.toString();
    }

    /**
     * Reads settings; fields left out take their defaults ({@code wallTime} as an ISO-8601 duration like
     * {@code "PT30M"}).
     *
     * @throws IllegalArgumentException naming the field and what was expected
     */
    public static AgentSettings fromJson(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("agent settings: not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("agent settings: expected a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("agent settings: unknown field \"" + field + "\" (known: "
                        + String.join(", ", FIELDS) + ")");
            }
        }
        JsonNode model = node.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new IllegalArgumentException("agent settings: model: expected a non-empty string");
        }
        try {
            return new AgentSettings(model.asText(), optionalText(node, "system"), optionalNames(node, "tools"),
                    optionalNames(node, "commands"),
                    (int) number(node, "maxTurns", DEFAULT_MAX_TURNS, Integer.MAX_VALUE),
                    number(node, "maxTokens", DEFAULT_MAX_TOKENS, Long.MAX_VALUE), duration(node, "wallTime"),
                    (int) number(node, "noProgressTurns", DEFAULT_NO_PROGRESS_TURNS, Integer.MAX_VALUE),
                    (int) number(node, "maxReplyTokens", DEFAULT_MAX_REPLY_TOKENS, Integer.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("agent settings: ") ? e
                    : new IllegalArgumentException("agent settings: " + e.getMessage());
        }
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string, got " + value.getNodeType().name().toLowerCase());
        }
        return value.asText();
    }

    private static List<String> optionalNames(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(field + ": expected an array of strings");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected a non-empty string");
            }
            names.add(item.asText());
        }
        return names;
    }

    private static long number(JsonNode node, String field, long fallback, long max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > max) {
            throw new IllegalArgumentException(field + ": expected a positive integer, got " + value);
        }
        return value.asLong();
    }

    private static Duration duration(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return DEFAULT_WALL_TIME;
        }
        try {
            if (value.isTextual()) {
                return Duration.parse(value.asText());
            }
        } catch (DateTimeParseException ignored) {
            // reported below with the expected shape
        }
        throw new IllegalArgumentException(field + ": expected an ISO-8601 duration such as \"PT30M\", got " + value);
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected a positive integer, got " + value);
        }
    }
}
