package dev.agentry.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a pipeline definition from YAML or JSON (YAML is a superset) and validates all of it,
 * reporting every problem with the path to the field and what was expected there.
 */
public final class PipelineParser {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern STEP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final Pattern INPUT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");
    private static final int MAX_STEPS = 500;
    /** Longer waits cannot be stored as timestamps (or shown as milliseconds); a year is plenty for any of them. */
    private static final Duration MAX_DURATION = Duration.ofDays(365);
    private static final Set<String> KINDS = Set.of("command", "agent", "approval", "sleep", "noop", "open-pr", "gate", "merge");
    private static final String KIND_LIST = "command, agent, approval, sleep, noop, open-pr, gate, merge";
    private static final Set<String> TOP_FIELDS = Set.of("name", "description", "inputs", "steps", "concurrency", "repository",
            "fragments");
    private static final Set<String> JOB_FIELDS = Set.of("run", "env", "pool", "labels", "no_output_timeout", "uncommitted");
    private static final Set<String> STEP_FIELDS = Set.of("id", "kind", "needs", "when", "retry", "timeout",
            "run", "env", "pool", "labels", "no_output_timeout", "uncommitted", "prompt", "deadline", "on_deadline",
            "duration", "description", "title", "body", "gate", "pr", "fixer", "resolver", "max_fixes", "poll", "method",
            "agent", "model", "fragments");
    private static final Map<String, Set<String>> KIND_FIELDS = Map.of(
            "command", JOB_FIELDS,
            "agent", Set.of("agent", "prompt", "model", "fragments", "pool", "labels", "no_output_timeout"),
            "approval", Set.of("prompt", "deadline", "on_deadline"),
            "sleep", Set.of("duration"),
            "noop", Set.of(),
            "open-pr", Set.of("title", "body"),
            "gate", Set.of("gate", "pr", "fixer", "resolver", "max_fixes", "poll"),
            "merge", Set.of("pr", "method"));
    private static final Pattern POOL_NAME = NAME;


    private final List<Problem> problems = new ArrayList<>();

    private PipelineParser() {}

    /** Parses and validates; throws {@link InvalidDefinition} listing every problem. */
    public static PipelineDefinition parse(String source) {
        JsonNode root = Fields.document(source, "definition", "a YAML or JSON object with name and steps");
        return new PipelineParser().definition(root);
    }

    private PipelineDefinition definition(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw InvalidDefinition.of("", "expected an object with name and steps, got " + describe(root));
        }
        unknownFields(root, "", TOP_FIELDS);
        String name = text(root, "name", "", true);
        if (name != null && !NAME.matcher(name).matches()) {
            problem("name", "'" + name + "' is not a valid pipeline name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        String description = text(root, "description", "", false);
        int concurrency = integer(root, "concurrency", "", 0, 0, 10_000);
        String repository = text(root, "repository", "", false);
        if (repository != null && !NAME.matcher(repository).matches()) {
            problem("repository", "'" + repository + "' is not a valid repository name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        Map<String, InputSpec> inputs = inputs(root.get("inputs"));
        List<StepDefinition> steps = steps(root.get("steps"));
        var written = new HashMap<String, Integer>(); // without problems, every step parsed: list index = position written
        for (int i = 0; i < steps.size(); i++) {
            written.put(steps.get(i).id(), i);
        }
        if (problems.isEmpty()) {
            steps = topologicalOrder(steps);
        }
        if (problems.isEmpty()) {
            steps = resolvePullRequests(steps, written);
        }
        if (problems.isEmpty()) {
            checkReferences(steps, inputs, written);
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinition(problems);
        }
        return new PipelineDefinition(name, description, inputs, steps, concurrency, repository, names(root.get("fragments"), "fragments"));
    }

    private Map<String, InputSpec> inputs(JsonNode node) {
        var inputs = new LinkedHashMap<String, InputSpec>();
        if (node == null || node.isNull()) {
            return inputs;
        }
        if (!node.isObject()) {
            problem("inputs", "expected a map of input name to {required, default, description}, got " + describe(node));
            return inputs;
        }
        node.fields().forEachRemaining(e -> {
            String path = "inputs." + e.getKey();
            if (!INPUT_NAME.matcher(e.getKey()).matches()) {
                problem(path, "'" + e.getKey() + "' is not a valid input name; expected letters, digits, '-' or '_', starting with a letter or '_'");
                return;
            }
            JsonNode spec = e.getValue();
            // `name:` with nothing after it reads as an empty string in YAML: the same as null.
            if (spec == null || spec.isNull() || (spec.isTextual() && spec.asText().isEmpty())) {
                inputs.put(e.getKey(), new InputSpec(e.getKey(), false, null, null));
                return;
            }
            if (!spec.isObject()) {
                problem(path, "expected {required, default, description}, got " + describe(spec));
                return;
            }
            unknownFields(spec, path, Set.of("required", "default", "description"));
            boolean required = bool(spec, "required", path, false);
            JsonNode def = spec.get("default");
            String defaultValue = null;
            if (def != null && !def.isNull()) {
                if (def.isValueNode()) {
                    defaultValue = def.asText();
                } else {
                    problem(path + ".default", "expected a string, number or boolean, got " + describe(def));
                }
            }
            inputs.put(e.getKey(), new InputSpec(e.getKey(), required, defaultValue, text(spec, "description", path, false)));
        });
        return inputs;
    }

    private List<StepDefinition> steps(JsonNode node) {
        var steps = new ArrayList<StepDefinition>();
        if (node == null || node.isNull()) {
            problem("steps", "required field is missing; expected a list of steps");
            return steps;
        }
        if (!node.isArray()) {
            problem("steps", "expected a list of steps, got " + describe(node));
            return steps;
        }
        if (node.isEmpty()) {
            problem("steps", "expected at least one step");
        }
        if (node.size() > MAX_STEPS) {
            problem("steps", "at most " + MAX_STEPS + " steps are allowed, got " + node.size());
            return steps;
        }
        var seen = new HashSet<String>();
        var written = new LinkedHashSet<String>(); // every id written, so a step with problems of its own is not also "unknown"
        node.forEach(raw -> {
            if (raw != null && raw.isObject() && raw.hasNonNull("id") && raw.get("id").isValueNode()) {
                written.add(raw.get("id").asText());
            }
        });
        for (int i = 0; i < node.size(); i++) {
            String path = "steps[" + i + "]";
            StepDefinition step = step(node.get(i), path);
            if (step == null) {
                continue;
            }
            if (!seen.add(step.id())) {
                problem(path + ".id", "duplicate step id '" + step.id() + "'");
                continue;
            }
            steps.add(step);
        }
        // Unknown needs are reported against the step that names them, with the ids that do exist.
        for (int i = 0; i < node.size(); i++) {
            JsonNode raw = node.get(i);
            if (raw == null || !raw.isObject()) {
                continue;
            }
            List<String> needs = needs(raw.get("needs"), "steps[" + i + "].needs", false);
            for (int j = 0; j < needs.size(); j++) {
                if (!written.contains(needs.get(j))) {
                    problem("steps[" + i + "].needs[" + j + "]", "unknown step '" + needs.get(j) + "'; steps are: " + String.join(", ", written));
                }
            }
        }
        return steps;
    }

    private StepDefinition step(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            problem(path, "expected a step object with id and kind, got " + describe(node));
            return null;
        }
        int before = problems.size();
        unknownFields(node, path, STEP_FIELDS);
        String id = text(node, "id", path, true);
        if (id != null && !STEP_ID.matcher(id).matches()) {
            problem(path + ".id", "'" + id + "' is not a valid step id; expected letters, digits, '-' or '_' (at most 63)");
        }
        String kind = text(node, "kind", path, true);
        if (kind != null && !KINDS.contains(kind)) {
            problem(path + ".kind", "unknown kind '" + kind + "'; expected one of " + KIND_LIST);
            kind = null;
        }
        List<String> needs = needs(node.get("needs"), path + ".needs", true);
        RunCondition when = RunCondition.SUCCESS;
        String whenText = text(node, "when", path, false);
        if (whenText != null) {
            switch (whenText) {
                case "success" -> when = RunCondition.SUCCESS;
                case "failure" -> when = RunCondition.FAILURE;
                case "always" -> when = RunCondition.ALWAYS;
                default -> problem(path + ".when", "unknown condition '" + whenText + "'; expected success, failure or always");
            }
        }
        RetryPolicy retry = retry(node.get("retry"), path + ".retry");
        Duration timeout = duration(node, "timeout", path, false);
        StepAction action = null;
        if (kind != null) {
            for (String field : STEP_FIELDS) {
                if (node.has(field) && KIND_FIELDS.values().stream().anyMatch(s -> s.contains(field))
                        && !KIND_FIELDS.get(kind).contains(field)) {
                    problem(path + "." + field, "'" + field + "' does not apply to " + kind + " steps");
                }
            }
            if (kind.equals("approval") || kind.equals("sleep")) {
                for (String field : List.of("retry", "timeout")) {
                    if (node.has(field)) {
                        problem(path + "." + field, "'" + field + "' does not apply to " + kind
                                + " steps (they are not executed by a node; use deadline for approvals)");
                    }
                }
            }
            action = switch (kind) {
                case "command" -> command(node, path, true);
                case "agent" -> agent(node, path);
                case "open-pr" -> new StepAction.OpenPullRequest(text(node, "title", path, false),
                        text(node, "body", path, false));
                case "gate" -> gate(node, path);
                case "merge" -> new StepAction.Merge(text(node, "pr", path, false), mergeMethod(node, path));
                case "approval" -> {
                    String onDeadline = text(node, "on_deadline", path, false);
                    if (onDeadline != null && !onDeadline.equals("approve") && !onDeadline.equals("reject")) {
                        problem(path + ".on_deadline", "expected approve or reject, got '" + onDeadline + "'");
                    }
                    Duration deadline = duration(node, "deadline", path, false);
                    if (onDeadline != null && deadline == null) {
                        problem(path + ".on_deadline", "only applies with a deadline");
                    }
                    String prompt = text(node, "prompt", path, false);
                    yield new StepAction.Approval(prompt == null ? "Approve step '" + id + "'?" : prompt, deadline, "approve".equals(onDeadline));
                }
                case "sleep" -> new StepAction.Sleep(duration(node, "duration", path, true));
                default -> new StepAction.Noop();
            };
        }
        if (problems.size() > before) {
            return null;
        }
        return new StepDefinition(id, text(node, "description", path, false), needs, when, retry, timeout, action);
    }

    /** A job's fields: the command itself and where and how it runs. */
    private StepAction.Command command(JsonNode node, String path, boolean runRequired) {
        String run = text(node, "run", path, runRequired);
        var env = env(node.get("env"), path + ".env");
        String pool = text(node, "pool", path, false);
        if (pool != null && !POOL_NAME.matcher(pool).matches()) {
            problem(path + ".pool", "'" + pool + "' is not a valid pool name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        List<String> labels = new ArrayList<>();
        JsonNode rawLabels = node.get("labels");
        if (rawLabels != null && !rawLabels.isNull()) {
            if (!rawLabels.isArray()) {
                problem(path + ".labels", "expected a list of pool labels, got " + describe(rawLabels));
            } else {
                for (int i = 0; i < rawLabels.size(); i++) {
                    JsonNode l = rawLabels.get(i);
                    if (!l.isTextual() || !POOL_NAME.matcher(l.asText()).matches()) {
                        problem(path + ".labels[" + i + "]", "expected a label of lower-case letters, digits, '-' or '_', got " + describe(l));
                    } else {
                        labels.add(l.asText());
                    }
                }
            }
        }
        if (pool != null && !labels.isEmpty()) {
            problem(path + ".labels", "choose a pool by name or by labels, not both");
        }
        Duration silence = duration(node, "no_output_timeout", path, false);
        String uncommitted = text(node, "uncommitted", path, false);
        if (uncommitted != null && !uncommitted.equals("commit") && !uncommitted.equals("fail")) {
            problem(path + ".uncommitted", "expected commit or fail, got '" + uncommitted + "'");
        }
        return new StepAction.Command(run, env, new StepAction.Placement(pool, labels), silence, !"fail".equals(uncommitted));
    }

    /** An agent step: the kind, its prompt and model, its fragments, and where it runs when not inline. */
    private StepAction.Agent agent(JsonNode node, String path) {
        String agent = text(node, "agent", path, true);
        if (agent != null && !NAME.matcher(agent).matches()) {
            problem(path + ".agent", "'" + agent + "' is not a valid agent kind name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        String prompt = text(node, "prompt", path, true);
        String model = text(node, "model", path, false);
        if (model != null && (model.isBlank() || model.length() > 200 || model.chars().anyMatch(c -> c <= ' '))) {
            problem(path + ".model", "expected a model name such as claude-sonnet-4-5 or openai/gpt-4.1 (no spaces, at most 200 characters)");
        }
        var fragments = names(node.get("fragments"), path + ".fragments");
        // where it runs when the kind is not inline: the same fields as a command's
        var placement = command(node, path, false);
        return new StepAction.Agent(agent, prompt, model, placement.placement(), placement.noOutputTimeout(), fragments);
    }

    /** A list of prompt fragment names. */
    private List<String> names(JsonNode raw, String path) {
        var names = new ArrayList<String>();
        if (raw == null || raw.isNull()) {
            return names;
        }
        if (!raw.isArray()) {
            problem(path, "expected a list of prompt fragment names, got " + describe(raw));
            return names;
        }
        for (int i = 0; i < raw.size(); i++) {
            JsonNode f = raw.get(i);
            if (!f.isTextual() || !NAME.matcher(f.asText()).matches()) {
                problem(path + "[" + i + "]", "expected a fragment name of lower-case letters, digits, '-' or '_', got " + describe(f));
            } else if (!names.contains(f.asText())) {
                names.add(f.asText());
            }
        }
        return names;
    }

    private StepAction.Gate gate(JsonNode node, String path) {
        String which = text(node, "gate", path, true);
        StepAction.GateCheck check = null;
        if (which != null) {
            switch (which) {
                case "ci" -> check = StepAction.GateCheck.CI;
                case "conflicts" -> check = StepAction.GateCheck.CONFLICTS;
                default -> problem(path + ".gate", "unknown gate '" + which + "'; expected ci or conflicts");
            }
        }
        String fixField = check == StepAction.GateCheck.CONFLICTS ? "resolver" : "fixer";
        String wrongField = check == StepAction.GateCheck.CONFLICTS ? "fixer" : "resolver";
        if (check != null && node.has(wrongField)) {
            problem(path + "." + wrongField, "'" + wrongField + "' does not apply to a " + check.wireName()
                    + " gate; use " + fixField);
        }
        StepAction.Command fix = null;
        JsonNode rawFix = node.get(fixField);
        if (rawFix != null && !rawFix.isNull()) {
            if (!rawFix.isObject()) {
                problem(path + "." + fixField, "expected a command {run, env, pool, labels, no_output_timeout}, got " + describe(rawFix));
            } else {
                unknownFields(rawFix, path + "." + fixField, JOB_FIELDS);
                fix = command(rawFix, path + "." + fixField, true);
            }
        }
        int maxFixes = integer(node, "max_fixes", path, fix == null ? 0 : 3, 0, 20);
        if (node.has("max_fixes") && check == StepAction.GateCheck.CONFLICTS) {
            problem(path + ".max_fixes", "applies to ci gates only; a conflicts gate runs its resolver once per attempt");
        }
        if (node.has("poll") && check == StepAction.GateCheck.CONFLICTS) {
            problem(path + ".poll", "applies to ci gates only");
        }
        Duration poll = duration(node, "poll", path, false);
        return new StepAction.Gate(check, text(node, "pr", path, false), fix, maxFixes,
                poll == null ? Duration.ofSeconds(10) : poll);
    }

    private dev.agentry.core.forge.MergeMethod mergeMethod(JsonNode node, String path) {
        String method = text(node, "method", path, false);
        if (method == null) {
            return dev.agentry.core.forge.MergeMethod.MERGE;
        }
        for (var m : dev.agentry.core.forge.MergeMethod.values()) {
            if (m.wireName().equals(method)) {
                return m;
            }
        }
        problem(path + ".method", "unknown merge method '" + method + "'; expected merge, squash or rebase");
        return dev.agentry.core.forge.MergeMethod.MERGE;
    }

    /**
     * Gates and merges act on the pull request an open-pr step opened: the one named by {@code pr}, or the
     * pipeline's only one. It must be among the step's needs (directly or through other steps).
     */
    private List<StepDefinition> resolvePullRequests(List<StepDefinition> steps, Map<String, Integer> written) {
        var openers = steps.stream().filter(s -> s.action() instanceof StepAction.OpenPullRequest).map(StepDefinition::id).toList();
        var ancestors = ancestors(steps);
        var resolved = new ArrayList<StepDefinition>();
        for (var step : steps) {
            String named = switch (step.action()) {
                case StepAction.Gate g -> g.pullRequest();
                case StepAction.Merge m -> m.pullRequest();
                default -> "";
            };
            if ("".equals(named)) {
                resolved.add(step);
                continue;
            }
            String path = "steps[" + written.get(step.id()) + "]";
            String pr = named;
            if (pr == null) {
                if (openers.size() != 1) {
                    problem(path + ".pr", openers.isEmpty()
                            ? "a " + step.action().kind() + " step acts on a pull request; add an open-pr step it needs"
                            : "the pipeline opens several pull requests (" + String.join(", ", openers) + "); name one with pr");
                    continue;
                }
                pr = openers.get(0);
            } else if (!openers.contains(pr)) {
                problem(path + ".pr", "'" + pr + "' is not an open-pr step" + (openers.isEmpty() ? "" : "; open-pr steps are: " + String.join(", ", openers)));
                continue;
            }
            if (!ancestors.get(step.id()).contains(pr)) {
                problem(path + ".needs", "must need '" + pr + "' (directly or through other steps): it opens the pull request this step acts on");
                continue;
            }
            StepAction action = switch (step.action()) {
                case StepAction.Gate g -> new StepAction.Gate(g.check(), pr, g.fix(), g.maxFixes(), g.pollEvery());
                case StepAction.Merge m -> new StepAction.Merge(pr, m.method());
                default -> step.action();
            };
            resolved.add(new StepDefinition(step.id(), step.description(), step.needs(), step.when(), step.retry(), step.timeout(), action));
        }
        return resolved;
    }

    /** Every step's ancestors (what it needs, directly or through other steps); steps in topological order. */
    private static Map<String, Set<String>> ancestors(List<StepDefinition> steps) {
        var ancestors = new HashMap<String, Set<String>>();
        for (var step : steps) {
            var all = new LinkedHashSet<String>();
            for (String need : step.needs()) {
                all.add(need);
                all.addAll(ancestors.get(need));
            }
            ancestors.put(step.id(), all);
        }
        return ancestors;
    }

    private List<String> needs(JsonNode node, String path, boolean report) {
        var needs = new ArrayList<String>();
        if (node == null || node.isNull()) {
            return needs;
        }
        if (node.isTextual()) {
            needs.add(node.asText());
            return needs;
        }
        if (!node.isArray()) {
            if (report) {
                problem(path, "expected a list of step ids, got " + describe(node));
            }
            return needs;
        }
        for (int i = 0; i < node.size(); i++) {
            if (node.get(i).isBoolean() && report) {
                problem(path + "[" + i + "]", "expected a step id, got " + node.get(i).asText() + "; quote it (YAML reads yes, no, on and off as booleans)");
            } else if (node.get(i).isTextual()) {
                needs.add(node.get(i).asText());
            } else if (report) {
                problem(path + "[" + i + "]", "expected a step id, got " + describe(node.get(i)));
            }
        }
        return needs;
    }

    private RetryPolicy retry(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return RetryPolicy.NONE;
        }
        if (!node.isObject()) {
            problem(path, "expected {max_attempts, backoff, max_backoff}, got " + describe(node));
            return RetryPolicy.NONE;
        }
        unknownFields(node, path, Set.of("max_attempts", "backoff", "max_backoff"));
        int max = integer(node, "max_attempts", path, 3, 1, 100);
        Duration backoff = duration(node, "backoff", path, false);
        Duration cap = duration(node, "max_backoff", path, false);
        backoff = backoff == null ? Duration.ofSeconds(1) : backoff;
        cap = cap == null ? Duration.ofMinutes(5) : cap;
        if (cap.compareTo(backoff) < 0) {
            problem(path + ".max_backoff", "must not be shorter than backoff (" + Durations.format(backoff) + ")");
        }
        return new RetryPolicy(max, backoff, cap);
    }

    private Map<String, String> env(JsonNode node, String path) {
        var env = new LinkedHashMap<String, String>();
        if (node == null || node.isNull()) {
            return env;
        }
        if (!node.isObject()) {
            problem(path, "expected a map of variable name to value, got " + describe(node));
            return env;
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problem(path + "." + e.getKey(), "not a valid environment variable name");
            } else if (e.getKey().startsWith("AGENTRY_")) {
                problem(path + "." + e.getKey(), "names starting with AGENTRY_ are reserved for the values Agentry passes to steps");
            } else if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                problem(path + "." + e.getKey(), "expected a string, got " + describe(e.getValue()));
            } else {
                env.put(e.getKey(), e.getValue().asText());
            }
        });
        return env;
    }

    /** Orders steps so each comes after what it needs; reports a cycle with its path. */
    private List<StepDefinition> topologicalOrder(List<StepDefinition> steps) {
        var byId = new LinkedHashMap<String, StepDefinition>();
        steps.forEach(s -> byId.put(s.id(), s));
        var ordered = new ArrayList<StepDefinition>();
        var state = new HashMap<String, Integer>(); // 1 = visiting, 2 = done
        for (var step : steps) {
            var stack = new ArrayList<String>();
            if (!visit(step.id(), byId, state, ordered, stack)) {
                return steps;
            }
        }
        return ordered;
    }

    private boolean visit(String id, Map<String, StepDefinition> byId, Map<String, Integer> state,
                          List<StepDefinition> ordered, List<String> stack) {
        Integer s = state.get(id);
        if (s != null && s == 2) {
            return true;
        }
        stack.add(id);
        if (s != null) {
            List<String> cycle = stack.subList(stack.indexOf(id), stack.size());
            problem("steps", "the steps form a cycle: " + String.join(" -> ", cycle) + "; needs must form a DAG");
            return false;
        }
        state.put(id, 1);
        for (String need : byId.get(id).needs()) {
            if (!visit(need, byId, state, ordered, stack)) {
                return false;
            }
        }
        stack.remove(stack.size() - 1);
        state.put(id, 2);
        ordered.add(byId.get(id));
        return true;
    }

    /** Templates may name declared inputs, and outputs of steps that are guaranteed to have finished first. */
    private void checkReferences(List<StepDefinition> steps, Map<String, InputSpec> inputs, Map<String, Integer> written) {
        var ancestors = ancestors(steps);
        var index = new HashMap<String, Integer>();
        for (int i = 0; i < steps.size(); i++) {
            index.put(steps.get(i).id(), i);
        }
        for (var step : steps) {
            var texts = new LinkedHashMap<String, String>();
            switch (step.action()) {
                case StepAction.Command c -> {
                    texts.put("run", c.run());
                    c.env().forEach((k, v) -> texts.put("env." + k, v));
                }
                case StepAction.Approval a -> texts.put("prompt", a.prompt());
                case StepAction.Agent a -> texts.put("prompt", a.prompt());
                case StepAction.OpenPullRequest o -> {
                    if (o.title() != null) {
                        texts.put("title", o.title());
                    }
                    if (o.body() != null) {
                        texts.put("body", o.body());
                    }
                }
                case StepAction.Gate g when g.fix() != null -> {
                    String field = g.check() == StepAction.GateCheck.CI ? "fixer" : "resolver";
                    texts.put(field + ".run", g.fix().run());
                    g.fix().env().forEach((k, v) -> texts.put(field + ".env." + k, v));
                }
                default -> { }
            }
            texts.forEach((field, text) -> {
                String path = "steps[" + written.get(step.id()) + "]." + field;
                for (var ref : Template.references(text, path, problems)) {
                    switch (ref) {
                        case Template.Reference.Input in when !inputs.containsKey(in.name()) ->
                                problem(path, "'{{ " + ref.text() + " }}' names an undeclared input '" + in.name() + "'"
                                        + (inputs.isEmpty() ? "; declare it under inputs" : "; inputs are: " + String.join(", ", inputs.keySet())));
                        case Template.Reference.Secret secret when !field.equals("run") && !field.contains(".run")
                                && !(field.contains("env.") && text.strip().equals("{{ " + ref.text() + " }}")) ->
                                problem(path, "'{{ " + ref.text() + " }}': a secret reaches only a command, in its run or as a whole env "
                                        + "value (FOO: \"{{ secrets." + secret.name() + " }}\"); never a prompt, title or other text");
                        case Template.Reference.StepOutput out when !index.containsKey(out.step()) ->
                                problem(path, "'{{ " + ref.text() + " }}' names an unknown step '" + out.step() + "'");
                        case Template.Reference.StepOutput out when !ancestors.get(step.id()).contains(out.step()) ->
                                problem(path, "'{{ " + ref.text() + " }}' uses step '" + out.step()
                                        + "', which is not among this step's needs (directly or through other steps), so its outputs may not exist yet");
                        default -> { }
                    }
                }
            });
        }
    }

    private void unknownFields(JsonNode node, String path, Set<String> allowed) {
        Fields.unknown(problems, node, path, allowed);
    }

    private String text(JsonNode node, String field, String path, boolean required) {
        return Fields.text(problems, node, field, path, required);
    }

    private boolean bool(JsonNode node, String field, String path, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            problem(join(path, field), "expected true or false, got " + describe(v));
            return fallback;
        }
        return v.asBoolean();
    }

    private int integer(JsonNode node, String field, String path, int fallback, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            problem(join(path, field), "expected a whole number from " + min + " to " + max + ", got " + describe(v));
            return fallback;
        }
        return v.asInt();
    }

    private Duration duration(JsonNode node, String field, String path, boolean required) {
        String text = text(node, field, path, required);
        if (text == null) {
            return null;
        }
        var d = Durations.parse(text);
        if (d.isEmpty() || d.get().isZero()) {
            problem(join(path, field), "'" + text + "' is not a duration; expected a positive amount like 500ms, 30s, 10m, 1h30m or 2d");
            return null;
        }
        if (d.get().compareTo(MAX_DURATION) > 0) {
            problem(join(path, field), "'" + text + "' is too long; at most " + Durations.format(MAX_DURATION));
            return null;
        }
        return d.get();
    }

    private void problem(String field, String message) {
        problems.add(new Problem(field, message));
    }

    private static String join(String path, String field) {
        return Fields.join(path, field);
    }

    public static String describe(JsonNode node) {
        if (node == null || node.getNodeType() == JsonNodeType.MISSING) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "the string '" + abbreviate(node.asText()) + "'";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
