package dev.agentry.runners.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.ReadContext;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.runners.protocol.JobJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a scheduler's answer becomes a {@link JobView}: JSONPath expressions (Jayway), compiled when the manifest is
 * parsed. A path that matches several values (a filter, a wildcard, a slice) gives a list; where one value is
 * wanted, the last one that is set is used. Any path may be null (not mapped).
 *
 * <p>The state: the last word from {@code statusPath} that {@code statusMap} knows; failing that {@code running}
 * when {@code progress.inProgressPath} counts more than zero, else {@code defaultStatus}. Words from
 * {@code reasonPath} go through the same map, and one that maps to {@code lost} wins over the status
 * (an evicted, preempted or OOM-killed job is retried on a fresh runner rather than failed).
 */
public record ResponseMapping(JsonPath statusPath, Map<String, JobState> statusMap, JobState defaultStatus,
                              JsonPath reasonPath, Progress progress, JsonPath heartbeatPath, JsonPath branchPath,
                              JsonPath headCommitPath, JsonPath prUrlPath, JsonPath summaryPath,
                              JsonPath changedFilesPath, JsonPath outputsPath, JsonPath usagePath,
                              JsonPath exitCodePath, JsonPath logPath, JsonPath errorPath, JsonPath errorCausePath,
                              OutputPaths output) {

    public ResponseMapping {
        statusMap = Map.copyOf(statusMap);
    }

    public record Progress(JsonPath completedPath, JsonPath inProgressPath, JsonPath totalPath) {}

    public record OutputPaths(JsonPath textPath, JsonPath fromPath, JsonPath nextPath) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration PATHS = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider(JSON))
            .mappingProvider(new JacksonMappingProvider(JSON))
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();

    /** A parsed answer, ready for JSONPath; null when the body is empty or not JSON. */
    static ReadContext document(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            Object tree = JSON.readValue(body, Object.class);
            return tree == null ? null : JsonPath.using(PATHS).parse(tree);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static ReadContext document(String body) {
        return document(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** The job as the answer describes it; {@code outputFrom} is the offset asked for, used when the answer has none. */
    JobView view(String jobId, ReadContext doc, long outputFrom) {
        JobState state = null;
        List<String> status = words(doc, statusPath);
        for (int i = status.size() - 1; i >= 0 && state == null; i--) {
            state = statusMap.get(status.get(i));
        }
        String lostReason = null;
        for (String reason : words(doc, reasonPath)) {
            if (statusMap.get(reason) == JobState.LOST) {
                state = JobState.LOST;
                lostReason = reason;
                break;
            }
        }
        Map<String, Object> progressMap = progress(doc);
        if (state == null) {
            Object active = progressMap == null ? null : progressMap.get("inProgress");
            state = active instanceof Long n && n > 0 ? JobState.RUNNING : defaultStatus;
        }
        Instant heartbeat = instant(scalar(doc, heartbeatPath));
        Integer exitCode = integer(scalar(doc, exitCodePath));
        String log = text(scalar(doc, logPath));

        JobView.Result result = null;
        List<String> changedFiles = strings(collection(doc, changedFilesPath));
        Map<String, String> outputs = stringMap(collection(doc, outputsPath));
        Map<String, Object> usage = objectMap(collection(doc, usagePath));
        String branch = text(scalar(doc, branchPath));
        String headCommit = text(scalar(doc, headCommitPath));
        String prUrl = text(scalar(doc, prUrlPath));
        String summary = text(scalar(doc, summaryPath));
        boolean anyResult = branch != null || headCommit != null || prUrl != null || summary != null || changedFiles != null
                || outputs != null || usage != null || (state == JobState.DONE && (exitCode != null || log != null));
        if (state == JobState.DONE || anyResult) {
            result = new JobView.Result(branch, headCommit, prUrl, summary, changedFiles, usage, outputs,
                    state == JobState.DONE ? exitCode : null, state == JobState.DONE ? log : null);
        }

        JobView.Failure error = null;
        if (state == JobState.FAILED || state == JobState.LOST) {
            String message = text(scalar(doc, errorPath));
            String cause = text(scalar(doc, errorCausePath));
            if (state == JobState.LOST) {
                message = message != null ? message : "the scheduler reports " + (lostReason != null ? lostReason : "the job lost");
                cause = "lost";
            } else {
                message = message != null ? message : "the job failed";
                cause = cause != null ? cause : "failed";
            }
            error = new JobView.Failure(message, cause, exitCode, log);
        }
        return new JobView(jobId, state, progressMap, heartbeat, result, error, output(doc, outputFrom));
    }

    /** The value of one path as a string; null when it is not set or not a single value. */
    static String extract(ReadContext doc, JsonPath path) {
        return text(scalar(doc, path));
    }

    private Map<String, Object> progress(ReadContext doc) {
        if (progress == null) {
            return null;
        }
        var map = new LinkedHashMap<String, Object>();
        putNumber(map, "completed", scalar(doc, progress.completedPath()));
        putNumber(map, "inProgress", scalar(doc, progress.inProgressPath()));
        putNumber(map, "total", scalar(doc, progress.totalPath()));
        return map.isEmpty() ? null : map;
    }

    private JobView.Output output(ReadContext doc, long outputFrom) {
        if (output == null) {
            return null;
        }
        String text = text(scalar(doc, output.textPath()));
        Long from = number(scalar(doc, output.fromPath()));
        Long next = number(scalar(doc, output.nextPath()));
        if (text == null && next == null) {
            return null;
        }
        text = text == null ? "" : text;
        long start = from != null ? from : outputFrom;
        return new JobView.Output(start, next != null ? next : start + text.getBytes(StandardCharsets.UTF_8).length, text);
    }

    // ---------------------------------------------------------------- reading values

    /** Every value the path matches (one for a definite path), nulls dropped. */
    private static List<Object> matches(ReadContext doc, JsonPath path) {
        if (doc == null || path == null) {
            return List.of();
        }
        Object v = doc.read(path);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list && (!path.isDefinite() || list.stream().allMatch(ResponseMapping::isScalar))) {
            var out = new ArrayList<>();
            list.stream().filter(x -> x != null).forEach(out::add);
            return out;
        }
        return List.of(v);
    }

    private static List<String> words(ReadContext doc, JsonPath path) {
        return matches(doc, path).stream().filter(ResponseMapping::isScalar).map(String::valueOf).toList();
    }

    private static Object scalar(ReadContext doc, JsonPath path) {
        List<Object> all = matches(doc, path);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (isScalar(all.get(i))) {
                return all.get(i);
            }
        }
        return null;
    }

    /** A list or object: the value itself for a definite path, else the last match. */
    private static Object collection(ReadContext doc, JsonPath path) {
        if (doc == null || path == null) {
            return null;
        }
        Object v = doc.read(path);
        if (v instanceof List<?> list && !path.isDefinite()) {
            for (int i = list.size() - 1; i >= 0; i--) {
                if (list.get(i) != null) {
                    return list.get(i);
                }
            }
            return null;
        }
        return v;
    }

    private static boolean isScalar(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    private static String text(Object v) {
        return isScalar(v) ? String.valueOf(v) : null;
    }

    private static Long number(Object v) {
        if (v instanceof Number n && (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof java.math.BigInteger
                || n.doubleValue() == Math.rint(n.doubleValue()))) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Integer integer(Object v) {
        Long n = number(v);
        return n == null || n < Integer.MIN_VALUE || n > Integer.MAX_VALUE ? null : n.intValue();
    }

    private static void putNumber(Map<String, Object> map, String key, Object v) {
        Long n = number(v);
        if (n != null) {
            map.put(key, n);
        }
    }

    private static Instant instant(Object v) {
        if (v instanceof String s) {
            return JobJson.parseInstant(s);
        }
        Long millis = number(v);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static List<String> strings(Object v) {
        if (v instanceof List<?> list) {
            return list.stream().filter(ResponseMapping::isScalar).map(String::valueOf).toList();
        }
        return isScalar(v) ? List.of(String.valueOf(v)) : null;
    }

    private static Map<String, String> stringMap(Object v) {
        if (!(v instanceof Map<?, ?> map)) {
            return null;
        }
        var out = new LinkedHashMap<String, String>();
        map.forEach((k, x) -> {
            if (x != null) {
                out.put(String.valueOf(k), isScalar(x) ? String.valueOf(x) : json(x));
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectMap(Object v) {
        return v instanceof Map<?, ?> map ? new LinkedHashMap<>((Map<String, Object>) map) : null;
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }
}
