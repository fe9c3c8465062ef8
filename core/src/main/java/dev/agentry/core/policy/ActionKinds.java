package dev.agentry.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.pipeline.Problem;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every kind of {@link Action} with its attributes: the one table that the policy parser checks conditions
 * against, the documentation follows, and an action written as JSON ({@code {"kind": "git-push", ...}}) is
 * read by.
 */
public final class ActionKinds {
    public enum Type { STRING, BOOLEAN, INTEGER, USD }

    public record Attribute(String name, Type type, boolean required) {}

    public record Kind(String name, List<Attribute> attributes) {}

    /** What a condition sees as {@code run.<name>}, from {@link Action.Context}. */
    public static final List<String> RUN_ATTRIBUTES = List.of("workspace", "id", "step", "agent", "pipeline");

    public static final List<Kind> ALL = List.of(
            kind(Action.RunCommand.KIND, required("command", Type.STRING), optional("workingTree", Type.STRING)),
            kind(Action.WritePath.KIND, required("path", Type.STRING), required("insideTree", Type.BOOLEAN)),
            kind(Action.ReadPath.KIND, required("path", Type.STRING), required("insideTree", Type.BOOLEAN)),
            kind(Action.CallHost.KIND, required("host", Type.STRING), required("port", Type.INTEGER), required("scheme", Type.STRING)),
            kind(Action.GitPush.KIND, required("repository", Type.STRING), required("branch", Type.STRING),
                    optional("baseBranch", Type.STRING)),
            kind(Action.OpenPullRequest.KIND, required("repository", Type.STRING), required("branch", Type.STRING),
                    required("baseBranch", Type.STRING)),
            kind(Action.MergePullRequest.KIND, required("repository", Type.STRING), required("number", Type.INTEGER),
                    required("baseBranch", Type.STRING)),
            kind(Action.SpendCall.KIND, required("model", Type.STRING), required("estimatedUsd", Type.USD)),
            kind(Action.SpendRun.KIND, required("runSpentUsd", Type.USD)),
            kind(Action.LeaseSecret.KIND, required("name", Type.STRING), required("integration", Type.STRING)));

    private static final Set<String> ATTRIBUTE_NAMES = attributeNames();

    private ActionKinds() {}

    public static Optional<Kind> find(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(Kind::name).toList();
    }

    /** Every attribute name any kind has, and {@code kind}: what {@code action.<name>} may name. */
    public static Set<String> allAttributeNames() {
        return ATTRIBUTE_NAMES;
    }

    /**
     * Reads an action written as a JSON object of its kind and attributes; every problem is reported, each with
     * the attribute's name as its field.
     */
    public static Action read(JsonNode node, Action.Context context) {
        if (node == null || !node.isObject()) {
            throw InvalidDefinition.of("", "expected an action: an object with kind and its attributes, got " + PipelineParser.describe(node));
        }
        JsonNode kindNode = node.get("kind");
        if (kindNode == null || kindNode.isNull()) {
            throw InvalidDefinition.of("kind", "required field is missing; expected one of " + String.join(", ", names()));
        }
        Kind kind = kindNode.isTextual() ? find(kindNode.asText()).orElse(null) : null;
        if (kind == null) {
            throw InvalidDefinition.of("kind", "unknown action kind " + PipelineParser.describe(kindNode) + "; expected one of "
                    + String.join(", ", names()));
        }
        var values = new Values(node, kind);
        Action action = switch (kind.name()) {
            case Action.RunCommand.KIND -> new Action.RunCommand(context, values.text("command"), values.text("workingTree"));
            case Action.WritePath.KIND -> new Action.WritePath(context, values.text("path"), values.bool("insideTree"));
            case Action.ReadPath.KIND -> new Action.ReadPath(context, values.text("path"), values.bool("insideTree"));
            case Action.CallHost.KIND -> new Action.CallHost(context, values.text("host"), values.port("port"), values.text("scheme"));
            case Action.GitPush.KIND -> new Action.GitPush(context, values.text("repository"), values.text("branch"),
                    values.text("baseBranch"));
            case Action.OpenPullRequest.KIND -> new Action.OpenPullRequest(context, values.text("repository"),
                    values.text("branch"), values.text("baseBranch"));
            case Action.MergePullRequest.KIND -> new Action.MergePullRequest(context, values.text("repository"),
                    values.integer("number"), values.text("baseBranch"));
            case Action.SpendCall.KIND -> new Action.SpendCall(context, values.text("model"), values.usd("estimatedUsd"));
            case Action.SpendRun.KIND -> new Action.SpendRun(context, values.usd("runSpentUsd"));
            case Action.LeaseSecret.KIND -> new Action.LeaseSecret(context, values.text("name"), values.text("integration"));
            default -> throw new IllegalStateException("a kind without a reader: " + kind.name());
        };
        values.finish();
        return action;
    }

    /**
     * Reads each attribute once, checking its presence and type; problems are collected and thrown by
     * {@link #finish()}, so stand-in values returned meanwhile never reach a caller.
     */
    private static final class Values {
        private final JsonNode node;
        private final Kind kind;
        private final List<Problem> problems = new ArrayList<>();

        Values(JsonNode node, Kind kind) {
            this.node = node;
            this.kind = kind;
            node.fieldNames().forEachRemaining(f -> {
                if (!f.equals("kind") && kind.attributes().stream().noneMatch(a -> a.name().equals(f))) {
                    problems.add(new Problem(f, "unknown attribute '" + f + "' for a " + kind.name() + " action; expected "
                            + String.join(", ", kind.attributes().stream().map(Attribute::name).toList())));
                }
            });
        }

        private boolean required(String name) {
            return kind.attributes().stream().anyMatch(a -> a.name().equals(name) && a.required());
        }

        private JsonNode value(String name) {
            JsonNode v = node.get(name);
            if ((v == null || v.isNull()) && required(name)) {
                problems.add(new Problem(name, "required attribute of a " + kind.name() + " action is missing"));
            }
            return v == null || v.isNull() ? null : v;
        }

        String text(String name) {
            JsonNode v = value(name);
            if (v == null) {
                return required(name) ? "" : null; // a missing required attribute is already a problem
            }
            if (!v.isTextual()) {
                problems.add(new Problem(name, "expected a string, got " + PipelineParser.describe(v)));
                return "";
            }
            return v.asText();
        }

        boolean bool(String name) {
            JsonNode v = value(name);
            if (v != null && !v.isBoolean()) {
                problems.add(new Problem(name, "expected true or false, got " + PipelineParser.describe(v)));
            }
            return v != null && v.asBoolean();
        }

        long integer(String name) {
            JsonNode v = value(name);
            if (v != null && (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0)) {
                problems.add(new Problem(name, "expected a whole number, 0 or more, got " + PipelineParser.describe(v)));
                return 0;
            }
            return v == null ? 0 : v.asLong();
        }

        int port(String name) {
            long port = integer(name);
            if (port > 65_535) {
                problems.add(new Problem(name, "expected a port from 0 to 65535, got " + port));
                return 0;
            }
            return (int) port;
        }

        BigDecimal usd(String name) {
            JsonNode v = value(name);
            if (v != null && (!v.isNumber() || v.decimalValue().signum() < 0)) {
                problems.add(new Problem(name, "expected an amount in US dollars, 0 or more, got " + PipelineParser.describe(v)));
                return BigDecimal.ZERO;
            }
            return v == null ? BigDecimal.ZERO : v.decimalValue();
        }

        void finish() {
            if (!problems.isEmpty()) {
                throw new InvalidDefinition(problems);
            }
        }
    }

    private static Kind kind(String name, Attribute... attributes) {
        return new Kind(name, List.of(attributes));
    }

    private static Attribute required(String name, Type type) {
        return new Attribute(name, type, true);
    }

    private static Attribute optional(String name, Type type) {
        return new Attribute(name, type, false);
    }

    private static Set<String> attributeNames() {
        var names = new LinkedHashSet<String>();
        names.add("kind");
        ALL.forEach(k -> k.attributes().forEach(a -> names.add(a.name())));
        return Set.copyOf(names);
    }
}
