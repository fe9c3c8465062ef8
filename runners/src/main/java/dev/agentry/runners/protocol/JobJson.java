package dev.agentry.runners.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.pipeline.InvalidDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one JSON codec of the job protocol, version 1 (docs/job-protocol.md): {@link JobSpec} and {@link JobView}
 * to and from their wire form. Field names as in the records, durations in milliseconds, instants ISO-8601,
 * enums by lower-case wire names, nulls omitted.
 *
 * <p>A spec is decoded strictly: a runner must not start work it does not fully understand, so unknown fields,
 * missing or wrongly typed ones and any version but 1 are refused with every problem named. A view is decoded
 * leniently about unknown fields only (a runner may say more than this version knows), strictly about the rest.
 *
 * <p>The spec's JSON carries the repository credential and the callback token: it must reach the runner, and
 * nothing else may write it anywhere. Problems never quote those two values.
 */
public final class JobJson {
    /** What a job id looks like on the wire: what {@link JobSpec#jobIdFor} makes, and a DNS label's alphabet. */
    public static final Pattern JOB_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> KINDS = Set.of(JobSpec.COMMAND, JobSpec.SYNC_BASE);
    private static final List<String> SPEC_FIELDS = List.of("version", "jobId", "kind", "runId", "stepId", "attempt",
            "idempotencyKey", "workspace", "repository", "taskBranch", "run", "env", "timeouts", "leftovers", "callback", "secrets");
    private static final List<String> REPOSITORY_FIELDS = List.of("name", "url", "baseBranch", "credential");
    private static final List<String> TIMEOUT_FIELDS = List.of("wallMs", "noOutputMs");
    private static final List<String> CALLBACK_FIELDS = List.of("url", "token");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private JobJson() {}

    // ---------------------------------------------------------------- JobSpec

    public static String encode(JobSpec spec) {
        return write(tree(spec));
    }

    public static ObjectNode tree(JobSpec spec) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", spec.version());
        n.put("jobId", spec.jobId());
        n.put("kind", spec.kind());
        n.put("runId", spec.runId());
        n.put("stepId", spec.stepId());
        n.put("attempt", spec.attempt());
        n.put("idempotencyKey", spec.idempotencyKey());
        putIfSet(n, "workspace", spec.workspace());
        if (spec.repository() != null) {
            JobSpec.RepositoryCheckout r = spec.repository();
            ObjectNode repo = n.putObject("repository");
            putIfSet(repo, "name", r.name());
            putIfSet(repo, "url", r.url());
            putIfSet(repo, "baseBranch", r.baseBranch());
            putIfSet(repo, "credential", r.credential());
        }
        putIfSet(n, "taskBranch", spec.taskBranch());
        putIfSet(n, "run", spec.run());
        if (!spec.env().isEmpty()) {
            ObjectNode env = n.putObject("env");
            spec.env().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> env.put(e.getKey(), e.getValue()));
        }
        JobSpec.Timeouts t = spec.timeouts();
        if (t.wall() != null || t.noOutput() != null) {
            ObjectNode timeouts = n.putObject("timeouts");
            if (t.wall() != null) {
                timeouts.put("wallMs", t.wall().toMillis());
            }
            if (t.noOutput() != null) {
                timeouts.put("noOutputMs", t.noOutput().toMillis());
            }
        }
        n.put("leftovers", spec.leftovers().name().toLowerCase());
        if (spec.secrets() != null) {
            ObjectNode secrets = n.putObject("secrets");
            secrets.put("exchangeUrl", spec.secrets().exchangeUrl());
            ObjectNode leases = secrets.putObject("leases");
            spec.secrets().leases().forEach(leases::put);
        }
        if (spec.callback() != null) {
            ObjectNode cb = n.putObject("callback");
            putIfSet(cb, "url", spec.callback().url());
            putIfSet(cb, "token", spec.callback().token());
        }
        return n;
    }

    /** Decodes a spec from an untrusted body; throws {@link InvalidDefinition} naming every problem. */
    public static JobSpec decodeSpec(String body) {
        return decodeSpec(read(body, "a job spec"));
    }

    public static JobSpec decodeSpec(JsonNode n) {
        var in = new FieldReader();
        if (!in.object(n, "", "a job spec object")) {
            in.throwIfAny();
        }
        // The version decides what the rest means: another version's fields are not this one's problems.
        Long version = in.integer(n, "version", "", true, Integer.MIN_VALUE, Integer.MAX_VALUE);
        in.throwIfAny();
        if (version != JobSpec.VERSION) {
            throw InvalidDefinition.of("version", "unsupported job protocol version " + version + "; this side speaks version " + JobSpec.VERSION);
        }
        in.unknownFields(n, "", SPEC_FIELDS);
        String jobId = in.text(n, "jobId", "", true);
        if (jobId != null && !JOB_ID.matcher(jobId).matches()) {
            in.problem("jobId", "'" + abbreviate(jobId) + "' is not a job id; expected 1 to 63 lower-case letters, digits or '-', starting with a letter or digit");
        }
        String kind = in.text(n, "kind", "", true);
        if (kind != null && !KINDS.contains(kind)) {
            in.problem("kind", "unknown kind '" + abbreviate(kind) + "'; expected one of command, sync-base");
        }
        Long runId = in.integer(n, "runId", "", true, 0, Long.MAX_VALUE);
        String stepId = in.text(n, "stepId", "", true);
        Long attempt = in.integer(n, "attempt", "", true, 1, Integer.MAX_VALUE);
        String idempotencyKey = in.text(n, "idempotencyKey", "", true);
        String workspace = in.text(n, "workspace", "", true);
        JobSpec.RepositoryCheckout repository = repository(in, n.get("repository"));
        String taskBranch = in.text(n, "taskBranch", "", false);
        String run = in.text(n, "run", "", JobSpec.COMMAND.equals(kind));
        Map<String, String> env = env(in, n.get("env"));
        JobSpec.Timeouts timeouts = timeouts(in, n.get("timeouts"));
        JobSpec.Leftovers leftovers = leftovers(in, n);
        JobSpec.Callback callback = callback(in, n.get("callback"));
        JobSpec.SecretLeases secrets = secrets(in, n.get("secrets"));
        in.throwIfAny();
        return new JobSpec(version.intValue(), jobId, kind, runId, stepId, attempt.intValue(), idempotencyKey, workspace,
                repository, taskBranch, run, env, timeouts, leftovers, callback, secrets);
    }

    private static JobSpec.RepositoryCheckout repository(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "repository", "an object with url, baseBranch and optionally name and credential")) {
            return null;
        }
        in.unknownFields(n, "repository", REPOSITORY_FIELDS);
        return new JobSpec.RepositoryCheckout(in.text(n, "name", "repository", false), in.text(n, "url", "repository", true),
                in.text(n, "baseBranch", "repository", true), in.secretText(n, "credential", "repository", false));
    }

    private static Map<String, String> env(FieldReader in, JsonNode n) {
        var env = new LinkedHashMap<String, String>();
        if (n == null || n.isNull()) {
            return env;
        }
        if (!in.object(n, "env", "an object of variable name to string value")) {
            return env;
        }
        n.properties().forEach(e -> {
            String path = "env." + e.getKey();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                in.problem(path, "'" + abbreviate(e.getKey()) + "' is not a variable name; expected letters, digits and '_', not starting with a digit");
            } else if (!e.getValue().isTextual()) {
                in.problem(path, "expected a string, got " + FieldReader.describe(e.getValue()));
            } else {
                env.put(e.getKey(), e.getValue().asText());
            }
        });
        return env;
    }

    private static JobSpec.Timeouts timeouts(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "timeouts", "an object with wallMs and noOutputMs")) {
            return null;
        }
        in.unknownFields(n, "timeouts", TIMEOUT_FIELDS);
        Long wall = in.integer(n, "wallMs", "timeouts", false, 1, Long.MAX_VALUE / 1_000_000);
        Long noOutput = in.integer(n, "noOutputMs", "timeouts", false, 1, Long.MAX_VALUE / 1_000_000);
        return new JobSpec.Timeouts(wall == null ? null : Duration.ofMillis(wall), noOutput == null ? null : Duration.ofMillis(noOutput));
    }

    private static JobSpec.Leftovers leftovers(FieldReader in, JsonNode n) {
        String s = in.text(n, "leftovers", "", false);
        if (s == null) {
            return null;
        }
        for (JobSpec.Leftovers l : JobSpec.Leftovers.values()) {
            if (l.name().toLowerCase().equals(s)) {
                return l;
            }
        }
        in.problem("leftovers", "unknown value '" + abbreviate(s) + "'; expected one of commit, fail");
        return null;
    }

    private static JobSpec.SecretLeases secrets(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject() || !n.path("exchangeUrl").isTextual() || !n.path("leases").isObject()) {
            in.problem("secrets", "expected an object with exchangeUrl (text) and leases (variable name to lease token)");
            return null;
        }
        var leases = new java.util.LinkedHashMap<String, String>();
        n.path("leases").properties().forEach(e -> {
            if (!e.getValue().isTextual() || !e.getKey().matches("[A-Z_][A-Z0-9_]{0,127}")) {
                in.problem("secrets.leases." + abbreviate(e.getKey()), "expected a variable name of capitals, digits and _ with a lease token");
            } else {
                leases.put(e.getKey(), e.getValue().asText());
            }
        });
        return new JobSpec.SecretLeases(n.path("exchangeUrl").asText(), leases);
    }

    private static JobSpec.Callback callback(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "callback", "an object with url and token")) {
            return null;
        }
        in.unknownFields(n, "callback", CALLBACK_FIELDS);
        String url = in.text(n, "url", "callback", true);
        String token = in.secretText(n, "token", "callback", true);
        return new JobSpec.Callback(url, token);
    }

    // ---------------------------------------------------------------- JobView

    public static String encode(JobView view) {
        return write(tree(view));
    }

    public static ObjectNode tree(JobView view) {
        ObjectNode n = JSON.createObjectNode();
        n.put("jobId", view.jobId());
        n.put("state", view.state().wireName());
        if (view.progress() != null) {
            n.set("progress", JSON.valueToTree(view.progress()));
        }
        if (view.heartbeatAt() != null) {
            n.put("heartbeatAt", view.heartbeatAt().toString());
        }
        JobView.Result r = view.result();
        if (r != null) {
            ObjectNode result = n.putObject("result");
            putIfSet(result, "branch", r.branch());
            putIfSet(result, "headCommit", r.headCommit());
            putIfSet(result, "prUrl", r.prUrl());
            putIfSet(result, "summary", r.summary());
            ArrayNode files = result.putArray("changedFiles");
            r.changedFiles().forEach(files::add);
            if (r.usage() != null) {
                result.set("usage", JSON.valueToTree(r.usage()));
            }
            ObjectNode outputs = result.putObject("outputs");
            r.outputs().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> outputs.put(e.getKey(), e.getValue()));
            if (r.exitCode() != null) {
                result.put("exitCode", r.exitCode());
            }
            putIfSet(result, "log", r.log());
        }
        JobView.Failure f = view.error();
        if (f != null) {
            ObjectNode error = n.putObject("error");
            putIfSet(error, "message", f.message());
            putIfSet(error, "cause", f.cause());
            if (f.exitCode() != null) {
                error.put("exitCode", f.exitCode());
            }
            putIfSet(error, "log", f.log());
        }
        JobView.Output o = view.output();
        if (o != null) {
            ObjectNode output = n.putObject("output");
            output.put("from", o.from());
            output.put("next", o.next());
            putIfSet(output, "text", o.text());
        }
        return n;
    }

    /** Decodes a runner's answer; throws {@link InvalidDefinition} naming every problem. */
    public static JobView decodeView(String body) {
        return decodeView(read(body, "a job view"));
    }

    public static JobView decodeView(JsonNode n) {
        var in = new FieldReader();
        if (!in.object(n, "", "a job view object")) {
            in.throwIfAny();
        }
        String jobId = in.text(n, "jobId", "", true);
        JobState state = state(in, n);
        Map<String, Object> progress = map(in, n.get("progress"), "progress");
        Instant heartbeatAt = instant(in, n, "heartbeatAt", "");
        JobView.Result result = result(in, n.get("result"));
        JobView.Failure error = failure(in, n.get("error"));
        JobView.Output output = output(in, n.get("output"));
        in.throwIfAny();
        return new JobView(jobId, state, progress, heartbeatAt, result, error, output);
    }

    private static JobState state(FieldReader in, JsonNode n) {
        String s = in.text(n, "state", "", true);
        if (s == null) {
            return null;
        }
        for (JobState st : JobState.values()) {
            if (st.wireName().equals(s)) {
                return st;
            }
        }
        in.problem("state", "unknown state '" + abbreviate(s) + "'; expected one of queued, running, done, failed, lost");
        return null;
    }

    private static JobView.Result result(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "result", "an object")) {
            return null;
        }
        List<String> changedFiles = null;
        JsonNode files = n.get("changedFiles");
        if (files != null && !files.isNull()) {
            if (!files.isArray()) {
                in.problem("result.changedFiles", "expected a list of paths, got " + FieldReader.describe(files));
            } else {
                changedFiles = new ArrayList<>();
                for (int i = 0; i < files.size(); i++) {
                    if (files.get(i).isTextual()) {
                        changedFiles.add(files.get(i).asText());
                    } else {
                        in.problem("result.changedFiles[" + i + "]", "expected a path, got " + FieldReader.describe(files.get(i)));
                    }
                }
            }
        }
        Map<String, String> outputs = null;
        JsonNode outs = n.get("outputs");
        if (outs != null && !outs.isNull() && in.object(outs, "result.outputs", "an object of output name to string")) {
            outputs = new LinkedHashMap<>();
            for (var e : outs.properties()) {
                if (e.getValue().isTextual()) {
                    outputs.put(e.getKey(), e.getValue().asText());
                } else {
                    in.problem("result.outputs." + e.getKey(), "expected a string, got " + FieldReader.describe(e.getValue()));
                }
            }
        }
        Long exitCode = in.integer(n, "exitCode", "result", false, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new JobView.Result(in.text(n, "branch", "result", false), in.text(n, "headCommit", "result", false),
                in.text(n, "prUrl", "result", false), in.text(n, "summary", "result", false), changedFiles,
                map(in, n.get("usage"), "result.usage"), outputs, exitCode == null ? null : exitCode.intValue(),
                in.text(n, "log", "result", false));
    }

    private static JobView.Failure failure(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "error", "an object with message and cause")) {
            return null;
        }
        Long exitCode = in.integer(n, "exitCode", "error", false, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new JobView.Failure(in.text(n, "message", "error", false), in.text(n, "cause", "error", false),
                exitCode == null ? null : exitCode.intValue(), in.text(n, "log", "error", false));
    }

    private static JobView.Output output(FieldReader in, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, "output", "an object with from, next and text")) {
            return null;
        }
        Long from = in.integer(n, "from", "output", true, 0, Long.MAX_VALUE);
        Long next = in.integer(n, "next", "output", true, 0, Long.MAX_VALUE);
        String text = in.text(n, "text", "output", false);
        if (from != null && next != null && next < from) {
            in.problem("output.next", "expected an offset at or after from (" + from + "), got " + next);
        }
        return from == null || next == null ? null : new JobView.Output(from, next, text == null ? "" : text);
    }

    private static Map<String, Object> map(FieldReader in, JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!in.object(n, path, "an object")) {
            return null;
        }
        return JSON.convertValue(n, MAP);
    }

    private static Instant instant(FieldReader in, JsonNode n, String field, String path) {
        String s = in.text(n, field, path, false);
        if (s == null) {
            return null;
        }
        Instant t = parseInstant(s);
        if (t == null) {
            in.problem(FieldReader.join(path, field), "expected an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '" + abbreviate(s) + "'");
        }
        return t;
    }

    /** An ISO-8601 instant, with Z or an offset; null when it is not one. */
    public static Instant parseInstant(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static JsonNode read(String body, String what) {
        if (body == null || body.isBlank()) {
            throw InvalidDefinition.of("", "the body is empty; expected " + what + " as a JSON object");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
            // The parser's own message may quote the body; keep only where and what kind of mistake.
            throw InvalidDefinition.of("", "not valid JSON: " + where + firstLine(e.getOriginalMessage()));
        }
    }

    /** The parser's message without what it quotes from the body, which could be part of a secret. */
    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.lines().findFirst().orElse("");
        return line.replaceAll("'[^']*'", "'...'").replaceAll("\"[^\"]*\"", "\"...\"");
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private static void putIfSet(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
