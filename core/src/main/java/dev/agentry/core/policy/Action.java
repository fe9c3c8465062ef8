package dev.agentry.core.policy;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Something a step or agent wants to do, put to the workspace's policy before it is done. A policy's conditions
 * see the action as {@code action}: {@code action.kind} is {@link #kind()} and {@code action.<name>} each of
 * {@link #attributes()}; and the run it happens in as {@code run} ({@link Context}).
 *
 * <p>Attribute values are strings, booleans, whole numbers ({@code Long}) and amounts of money in US dollars
 * ({@code Double}, which is what CEL compares); an optional attribute that is absent is present with the value
 * {@code null}, so {@code action.baseBranch == "main"} is simply false rather than an error.
 * {@link ActionKinds} lists every kind with its attributes and reads an action from JSON.
 */
public sealed interface Action {
    Context context();

    /** The wire name, e.g. {@code git-push}. */
    String kind();

    /** What a condition sees as {@code action.<name>}; ordered as documented; values may be null only where optional. */
    Map<String, Object> attributes();

    /**
     * Where the action happens: visible as {@code run.workspace}, {@code run.id}, {@code run.step},
     * {@code run.agent} and {@code run.pipeline}. Outside a run (an operator testing a policy) the id is 0 and the
     * step, agent and pipeline are null; {@code agentKind} is null for steps that are not agents.
     */
    record Context(String workspace, long runId, String stepId, String agentKind, String pipeline) {
        public Context {
            Objects.requireNonNull(workspace, "workspace");
            if (runId < 0) {
                throw new IllegalArgumentException("runId must be 0 (no run) or positive, got " + runId);
            }
        }

        public static Context outsideRun(String workspace) {
            return new Context(workspace, 0, null, null, null);
        }

        public Map<String, Object> attributes() {
            return ordered("workspace", workspace, "id", runId, "step", stepId, "agent", agentKind, "pipeline", pipeline);
        }
    }

    /** A shell command a step or agent runs. */
    record RunCommand(Context context, String command, String workingTree) implements Action {
        public static final String KIND = "run-command";

        public RunCommand {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(command, "command");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("command", command, "workingTree", workingTree);
        }
    }

    /** A file written; {@code insideTree} when it is inside the step's working tree. */
    record WritePath(Context context, String path, boolean insideTree) implements Action {
        public static final String KIND = "write-path";

        public WritePath {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(path, "path");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("path", path, "insideTree", insideTree);
        }
    }

    /** A file read; {@code insideTree} when it is inside the step's working tree. */
    record ReadPath(Context context, String path, boolean insideTree) implements Action {
        public static final String KIND = "read-path";

        public ReadPath {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(path, "path");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("path", path, "insideTree", insideTree);
        }
    }

    /** A network connection out: {@code scheme} such as https, or tcp for a bare connection. */
    record CallHost(Context context, String host, int port, String scheme) implements Action {
        public static final String KIND = "call-host";

        public CallHost {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(scheme, "scheme");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
            }
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("host", host, "port", (long) port, "scheme", scheme);
        }
    }

    /** A push of {@code branch}; {@code baseBranch} is the branch it will be merged into, null when not known. */
    record GitPush(Context context, String repository, String branch, String baseBranch) implements Action {
        public static final String KIND = "git-push";

        public GitPush {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(branch, "branch");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("repository", repository, "branch", branch, "baseBranch", baseBranch);
        }
    }

    record OpenPullRequest(Context context, String repository, String branch, String baseBranch) implements Action {
        public static final String KIND = "open-pull-request";

        public OpenPullRequest {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(branch, "branch");
            Objects.requireNonNull(baseBranch, "baseBranch");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("repository", repository, "branch", branch, "baseBranch", baseBranch);
        }
    }

    record MergePullRequest(Context context, String repository, long number, String baseBranch) implements Action {
        public static final String KIND = "merge-pull-request";

        public MergePullRequest {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(baseBranch, "baseBranch");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("repository", repository, "number", number, "baseBranch", baseBranch);
        }
    }

    /** One model call about to be made, with what it is estimated to cost. */
    record SpendCall(Context context, String model, BigDecimal estimatedUsd) implements Action {
        public static final String KIND = "spend-call";

        public SpendCall {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(estimatedUsd, "estimatedUsd");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("model", model, "estimatedUsd", estimatedUsd.doubleValue());
        }
    }

    /** The run going on having spent {@code runSpentUsd} so far. */
    record SpendRun(Context context, BigDecimal runSpentUsd) implements Action {
        public static final String KIND = "spend-run";

        public SpendRun {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(runSpentUsd, "runSpentUsd");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("runSpentUsd", runSpentUsd.doubleValue());
        }
    }

    /** A secret handed to a step: {@code integration} is what it is for (github, anthropic, ...). */
    record LeaseSecret(Context context, String name, String integration) implements Action {
        public static final String KIND = "lease-secret";

        public LeaseSecret {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(integration, "integration");
        }

        @Override public String kind() { return KIND; }

        @Override public Map<String, Object> attributes() {
            return ordered("name", name, "integration", integration);
        }
    }

    /** An unmodifiable map in the order given, which (unlike {@code Map.of}) keeps null values. */
    private static Map<String, Object> ordered(Object... namesAndValues) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
