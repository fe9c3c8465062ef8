package dev.agentry.core.spend;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The price table: model name (or a prefix of it, so {@code claude-sonnet-4-5} prices
 * {@code claude-sonnet-4-5-20250929}) to its price. Configured entries replace the defaults.
 */
public final class Prices {
    private final Map<String, Price> byModel;

    public Prices(Map<String, Price> byModel) {
        this.byModel = Map.copyOf(byModel);
    }

    /** List prices as published when this version was written; operators keep theirs current in configuration. */
    public static Map<String, Price> defaults() {
        var m = new LinkedHashMap<String, Price>();
        m.put("claude-opus-4", Price.of("15", "75", "1.50", "18.75"));
        m.put("claude-opus-4-5", Price.of("5", "25", "0.50", "6.25"));
        m.put("claude-sonnet-4", Price.of("3", "15", "0.30", "3.75"));
        m.put("claude-haiku-4-5", Price.of("1", "5", "0.10", "1.25"));
        m.put("claude-3-5-haiku", Price.of("0.80", "4", "0.08", "1"));
        m.put("gpt-5", Price.of("1.25", "10", "0.125", "0"));
        m.put("gpt-5-mini", Price.of("0.25", "2", "0.025", "0"));
        m.put("gpt-4.1", Price.of("2", "8", "0.50", "0"));
        m.put("gpt-4.1-mini", Price.of("0.40", "1.60", "0.10", "0"));
        m.put("gpt-4o", Price.of("2.50", "10", "1.25", "0"));
        m.put("gpt-4o-mini", Price.of("0.15", "0.60", "0.075", "0"));
        return m;
    }

    public static Prices withDefaults(Map<String, Price> configured) {
        var m = new LinkedHashMap<>(defaults());
        m.putAll(configured);
        return new Prices(m);
    }

    /** The price of the longest entry the model's name starts with; empty for a model nobody priced. */
    public Optional<Price> of(String model) {
        if (model == null) {
            return Optional.empty();
        }
        Price exact = byModel.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        return byModel.entrySet().stream()
                .filter(e -> model.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue);
    }

    public Map<String, Price> all() {
        return byModel;
    }
}
