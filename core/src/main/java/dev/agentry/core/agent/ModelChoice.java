package dev.agentry.core.agent;

/**
 * A model as pipelines and agent kinds name it: {@code provider/model} ({@code openai/gpt-4.1},
 * {@code ollama/qwen2.5-coder}) or a bare model name, which goes to the default provider.
 */
public record ModelChoice(String provider, String model) {
    public static ModelChoice parse(String text, String defaultProvider) {
        int slash = text.indexOf('/');
        if (slash > 0 && slash < text.length() - 1) {
            return new ModelChoice(text.substring(0, slash), text.substring(slash + 1));
        }
        return new ModelChoice(defaultProvider, text);
    }

    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
