package dev.agentry.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.agent.AgentKind;
import dev.agentry.core.agent.AgentKinds;
import dev.agentry.core.agent.AgentLimits;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.pipeline.Durations;
import dev.agentry.core.spend.Price;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model side of the configuration: providers (from the SDKs' own variables, {@code ANTHROPIC_API_KEY},
 * {@code ANTHROPIC_BASE_URL}, {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, and more in the file's
 * {@code providers:} list), agent kinds ({@code agents:}), and the price table ({@code prices:}).
 */
public record ModelsConfig(Map<String, ProviderEndpoint> providers, String defaultModel, String gatewayUrl,
                           List<AgentKind> agents, Map<String, Price> prices) {
    public static final Set<String> SECTIONS = Set.of("providers", "agents", "prices");
    static final String ANTHROPIC_DEFAULT_MODEL = "anthropic/claude-sonnet-4-5";
    static final String OPENAI_DEFAULT_MODEL = "openai/gpt-4.1";
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public ModelsConfig {
        providers = Map.copyOf(providers);
        agents = List.copyOf(agents);
        prices = Map.copyOf(prices);
    }

    public static ModelsConfig none() {
        return new ModelsConfig(Map.of(), null, null, List.of(), Map.of());
    }

    /** The provider a bare model name goes to: the default model's, else the first configured. */
    public String defaultProvider() {
        if (defaultModel != null && defaultModel.contains("/")) {
            return defaultModel.substring(0, defaultModel.indexOf('/'));
        }
        return providers.keySet().stream().sorted().findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return "ModelsConfig[providers=" + providers.values() + ", defaultModel=" + defaultModel + ", agents="
                + agents.stream().map(AgentKind::name).toList() + "]";
    }

    /**
     * @param sections the file's {@code providers}, {@code agents} and {@code prices} sections (absent ones missing)
     */
    static ModelsConfig load(Map<String, JsonNode> sections, Map<String, String> env, String defaultModel, String gatewayUrl,
                             List<String> problems) {
        var providers = new LinkedHashMap<String, ProviderEndpoint>();
        String anthropicKey = env.get("ANTHROPIC_API_KEY");
        if (anthropicKey != null && !anthropicKey.isBlank()) {
            providers.put("anthropic", new ProviderEndpoint("anthropic", ProviderEndpoint.Api.ANTHROPIC,
                    url(env.getOrDefault("ANTHROPIC_BASE_URL", "https://api.anthropic.com"), "ANTHROPIC_BASE_URL", problems), anthropicKey.trim()));
        }
        String openaiKey = env.get("OPENAI_API_KEY");
        String openaiBase = env.get("OPENAI_BASE_URL");
        if ((openaiKey != null && !openaiKey.isBlank()) || (openaiBase != null && !openaiBase.isBlank())) {
            // a local OpenAI-compatible server (Ollama, vLLM) may need no key at all
            providers.put("openai", new ProviderEndpoint("openai", ProviderEndpoint.Api.OPENAI,
                    url(openaiBase == null ? "https://api.openai.com/v1" : openaiBase, "OPENAI_BASE_URL", problems),
                    openaiKey == null ? "" : openaiKey.trim()));
        }
        JsonNode list = sections.get("providers");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                problems.add("providers: expected a list of {name, api, base_url, api_key_env}");
            } else {
                for (int i = 0; i < list.size(); i++) {
                    var p = provider(list.get(i), "providers[" + i + "]", env, problems);
                    if (p != null) {
                        providers.put(p.name(), p);
                    }
                }
            }
        }
        String model = defaultModel == null || defaultModel.isBlank() ? null : defaultModel.trim();
        if (model == null) {
            model = providers.containsKey("anthropic") ? ANTHROPIC_DEFAULT_MODEL : providers.containsKey("openai") ? OPENAI_DEFAULT_MODEL : null;
        } else if (model.contains("/") && !providers.containsKey(model.substring(0, model.indexOf('/')))) {
            problems.add("default_model: '" + model + "' names provider '" + model.substring(0, model.indexOf('/'))
                    + "', which is not configured (configured: " + String.join(", ", providers.keySet()) + ")");
        }
        return new ModelsConfig(providers, model, gatewayUrl == null || gatewayUrl.isBlank() ? null : gatewayUrl.trim().replaceAll("/+$", ""),
                agents(sections.get("agents"), problems), prices(sections.get("prices"), problems));
    }

    private static ProviderEndpoint provider(JsonNode n, String path, Map<String, String> env, List<String> problems) {
        if (!n.isObject()) {
            problems.add(path + ": expected {name, api, base_url, api_key_env}");
            return null;
        }
        unknown(n, path, Set.of("name", "api", "base_url", "api_key_env"), problems);
        String name = text(n, "name", path, true, problems);
        String api = text(n, "api", path, true, problems);
        String base = text(n, "base_url", path, true, problems);
        String keyEnv = text(n, "api_key_env", path, false, problems);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.add(path + ".name: expected lower-case letters, digits, '-' or '_', got '" + name + "'");
        }
        ProviderEndpoint.Api kind = null;
        if (api != null) {
            switch (api) {
                case "anthropic" -> kind = ProviderEndpoint.Api.ANTHROPIC;
                case "openai" -> kind = ProviderEndpoint.Api.OPENAI;
                default -> problems.add(path + ".api: expected anthropic or openai, got '" + api + "'");
            }
        }
        String key = "";
        if (keyEnv != null) {
            key = env.get(keyEnv);
            if (key == null || key.isBlank()) {
                problems.add(path + ".api_key_env: the environment variable " + keyEnv + " is not set");
                key = "";
            }
        }
        URI uri = base == null ? null : url(base, path + ".base_url", problems);
        return name == null || kind == null || uri == null ? null : new ProviderEndpoint(name, kind, uri, key.trim());
    }

    private static List<AgentKind> agents(JsonNode list, List<String> problems) {
        var kinds = new ArrayList<AgentKind>();
        if (list == null || list.isNull()) {
            return kinds;
        }
        if (!list.isArray()) {
            problems.add("agents: expected a list of agent kinds, each with a name");
            return kinds;
        }
        var builtins = new LinkedHashMap<String, AgentKind>();
        AgentKinds.builtins().forEach(k -> builtins.put(k.name(), k));
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String path = "agents[" + i + "]";
            if (!n.isObject()) {
                problems.add(path + ": expected an agent kind with a name");
                continue;
            }
            unknown(n, path, Set.of("name", "description", "prompt", "tools", "commands", "model", "inline", "command",
                    "max_turns", "max_tokens", "wall_time", "no_progress_turns"), problems);
            String name = text(n, "name", path, true, problems);
            if (name == null) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                problems.add(path + ".name: expected lower-case letters, digits, '-' or '_', got '" + name + "'");
                continue;
            }
            // a kind named like a built-in one changes only what it sets
            AgentKind base = builtins.getOrDefault(name, new AgentKind(name, null, null, List.of(), List.of(), null, false, null, null));
            String prompt = or(text(n, "prompt", path, false, problems), base.prompt());
            String command = or(text(n, "command", path, false, problems), base.command());
            if (prompt == null && command == null) {
                problems.add(path + ": a new agent kind needs a prompt (for the built-in agent) or a command (a command-line agent)");
            }
            var limits = base.limits();
            limits = new AgentLimits(integer(n, "max_turns", path, limits.maxTurns(), problems),
                    integer(n, "max_tokens", path, (int) Math.min(Integer.MAX_VALUE, limits.maxTokens()), problems),
                    duration(n, "wall_time", path, limits.wallTime(), problems),
                    integer(n, "no_progress_turns", path, limits.noProgressTurns(), problems));
            boolean inline = n.has("inline") ? n.get("inline").asBoolean() : base.inline();
            if (n.has("inline") && !n.get("inline").isBoolean()) {
                problems.add(path + ".inline: expected true or false");
            }
            if (inline && command != null) {
                problems.add(path + ".inline: a command-line agent runs in the harness; it cannot be inline");
            }
            kinds.add(new AgentKind(name, or(text(n, "description", path, false, problems), base.description()), prompt,
                    strings(n, "tools", path, base.tools(), problems), strings(n, "commands", path, base.commands(), problems),
                    or(text(n, "model", path, false, problems), base.model()), inline, command, limits));
        }
        return kinds;
    }

    private static Map<String, Price> prices(JsonNode n, List<String> problems) {
        var prices = new LinkedHashMap<String, Price>();
        if (n == null || n.isNull()) {
            return prices;
        }
        if (!n.isObject()) {
            problems.add("prices: expected model: {input, output, cache_read, cache_write} in US dollars per million tokens");
            return prices;
        }
        n.fields().forEachRemaining(e -> {
            String path = "prices." + e.getKey();
            JsonNode p = e.getValue();
            if (!p.isObject()) {
                problems.add(path + ": expected {input, output, cache_read, cache_write} in US dollars per million tokens");
                return;
            }
            unknown(p, path, Set.of("input", "output", "cache_read", "cache_write"), problems);
            prices.put(e.getKey(), new Price(money(p, "input", path, true, problems), money(p, "output", path, true, problems),
                    money(p, "cache_read", path, false, problems), money(p, "cache_write", path, false, problems)));
        });
        return prices;
    }

    private static BigDecimal money(JsonNode n, String field, String path, boolean required, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(path + "." + field + ": required (US dollars per million tokens)");
            }
            return BigDecimal.ZERO;
        }
        if (!v.isNumber() || v.decimalValue().signum() < 0) {
            problems.add(path + "." + field + ": expected a number of dollars per million tokens, at least 0");
            return BigDecimal.ZERO;
        }
        return v.decimalValue();
    }

    private static URI url(String text, String where, List<String> problems) {
        String t = text.trim();
        if (!t.startsWith("http://") && !t.startsWith("https://")) {
            problems.add(where + ": expected an http(s) URL, got '" + t + "'");
            return null;
        }
        try {
            return URI.create(t.replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            problems.add(where + ": not a URL: " + e.getMessage());
            return null;
        }
    }

    private static void unknown(JsonNode n, String path, Set<String> allowed, List<String> problems) {
        n.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problems.add(path + ": unknown field '" + f + "'; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
            }
        });
    }

    private static String text(JsonNode n, String field, String path, boolean required, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(path + "." + field + ": required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(path + "." + field + ": expected text");
            return null;
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String field, String path, int fallback, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || v.asInt() < 1) {
            problems.add(path + "." + field + ": expected a whole number of at least 1");
            return fallback;
        }
        return v.asInt();
    }

    private static Duration duration(JsonNode n, String field, String path, Duration fallback, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        var d = Durations.parse(v.asText());
        if (d.isEmpty() || d.get().isZero()) {
            problems.add(path + "." + field + ": expected a duration such as 30m, got '" + v.asText() + "'");
            return fallback;
        }
        return d.get();
    }

    private static List<String> strings(JsonNode n, String field, String path, List<String> fallback, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isArray()) {
            problems.add(path + "." + field + ": expected a list of text");
            return fallback;
        }
        var out = new ArrayList<String>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                problems.add(path + "." + field + "[" + i + "]: expected text");
            } else {
                out.add(v.get(i).asText());
            }
        }
        return out;
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
