package dev.agentry.core.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with {@code {{ ... }}} references to values known when a step starts:
 * {@code inputs.NAME}, {@code steps.ID.outputs.KEY}, {@code run.id} and {@code run.pipeline}.
 *
 * <p>Logic-less on purpose: a reference is a path, never an expression. References are checked when the
 * pipeline is applied, so a typo fails at apply time instead of in the middle of a run.
 */
public final class Template {
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");
    private static final Pattern INPUT = Pattern.compile("inputs\\.([A-Za-z_][A-Za-z0-9_-]*)");
    private static final Pattern OUTPUT = Pattern.compile("steps\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_.-]+)");
    private static final Pattern RUN = Pattern.compile("run\\.(id|pipeline)");
    private static final Pattern SECRET = Pattern.compile("secrets\\.([a-z0-9][a-z0-9_-]{0,62})");
    /** The prefix of the variables that carry secrets into a command: filled from leases, never from the job spec. */
    public static final String SECRET_VARIABLE = "AGENTRY_SECRET_VALUE_";

    /** A parsed reference. */
    public sealed interface Reference {
        String text();

        record Input(String text, String name) implements Reference {}

        record StepOutput(String text, String step, String key) implements Reference {}

        record RunField(String text, String field) implements Reference {}

        /** A stored secret: it reaches a command only through a lease, and is never rendered as text. */
        record Secret(String text, String name) implements Reference {}
    }

    /** The values references resolve to for one step of one run. */
    public record Context(long runId, String pipeline, Map<String, String> inputs, Map<String, Map<String, String>> outputs) {
        Optional<String> resolve(Reference reference) {
            return switch (reference) {
                case Reference.Input in -> Optional.ofNullable(inputs.get(in.name()));
                case Reference.StepOutput out -> Optional.ofNullable(outputs.getOrDefault(out.step(), Map.of()).get(out.key()));
                case Reference.RunField rf -> Optional.of(rf.field().equals("id") ? Long.toString(runId) : pipeline);
                case Reference.Secret secret -> Optional.empty();
            };
        }
    }

    private Template() {}

    /** Every reference in {@code text}, or problems for the ones that are not references at all. */
    public static List<Reference> references(String text, String field, List<Problem> problems) {
        var found = new ArrayList<Reference>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            String ref = m.group(1);
            Matcher input = INPUT.matcher(ref);
            Matcher output = OUTPUT.matcher(ref);
            Matcher run = RUN.matcher(ref);
            Matcher secret = SECRET.matcher(ref);
            if (secret.matches()) {
                found.add(new Reference.Secret(ref, secret.group(1)));
            } else if (input.matches()) {
                found.add(new Reference.Input(ref, input.group(1)));
            } else if (output.matches()) {
                found.add(new Reference.StepOutput(ref, output.group(1), output.group(2)));
            } else if (run.matches()) {
                found.add(new Reference.RunField(ref, run.group(1)));
            } else {
                problems.add(new Problem(field, "'{{ " + ref + " }}' is not a reference; expected inputs.NAME, "
                        + "steps.STEP.outputs.KEY, run.id, run.pipeline or secrets.NAME"));
            }
        }
        return found;
    }

    /**
     * Replaces every reference with its value; a reference with no value (an output never written) becomes empty,
     * and so does a secret (secrets never become text: see {@link #renderForShell}).
     */
    public static String render(String text, Context context) {
        Matcher m = REFERENCE.matcher(text);
        var out = new StringBuilder();
        while (m.find()) {
            String value = parse(m.group(1)).flatMap(context::resolve).orElse("");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A shell command with its references turned into shell variables, and the values those variables
     * carry. Values reach the shell through the environment, never as command text, so an input such as
     * {@code "; rm -rf ~} stays a string. (Inside single quotes a variable is not expanded: write
     * {@code "{{ inputs.x }}"} rather than {@code '{{ inputs.x }}'}.)
     */
    public record ShellCommand(String script, Map<String, String> variables) {}

    public static ShellCommand renderForShell(String text, Context context) {
        Matcher m = REFERENCE.matcher(text);
        var out = new StringBuilder();
        var variables = new LinkedHashMap<String, String>();
        var names = new LinkedHashMap<String, String>();
        while (m.find()) {
            String ref = m.group(1);
            var parsed = parse(ref);
            if (parsed.orElse(null) instanceof Reference.Secret secret) {
                // the variable carries the secret's name here; the job gets a lease for it, and the value at the last moment
                String name = SECRET_VARIABLE + secret.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                variables.put(name, secret.name());
                m.appendReplacement(out, Matcher.quoteReplacement("${" + name + "}"));
                continue;
            }
            String name = names.computeIfAbsent(ref, r -> "AGENTRY_VALUE_" + names.size());
            variables.put(name, parsed.flatMap(context::resolve).orElse(""));
            m.appendReplacement(out, Matcher.quoteReplacement("${" + name + "}"));
        }
        m.appendTail(out);
        return new ShellCommand(out.toString(), variables);
    }

    private static Optional<Reference> parse(String ref) {
        var problems = new ArrayList<Problem>();
        var refs = references("{{" + ref + "}}", "", problems);
        return refs.isEmpty() ? Optional.empty() : Optional.of(refs.get(0));
    }
}
