package dev.agentry.runners.manifest;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A runner pool described by data: how to dispatch, poll and release a job on some scheduler's HTTP API, and how
 * to read its answers (docs/manifests.md). Built and validated by {@link ManifestParser}; interpreted by
 * {@link ManifestPool}.
 *
 * @param baseUrl          scheme, host, port and an optional path prefix, without a trailing slash
 * @param release          null when the scheduler cleans up on its own
 * @param maxResponseBytes the largest answer read; a larger one makes the pool unavailable rather than the node slow
 */
public record Manifest(String providerId, String label, URI baseUrl, Auth auth, Operation dispatch, Operation poll,
                       Operation release, ResponseMapping response, int maxResponseBytes) {

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
    public static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    /** True when polling passes {@code {{input.waitMs}}} on: the scheduler holds the poll, so the request may take that long. */
    public boolean longPolls() {
        return poll.variables().contains("input.waitMs");
    }

    /**
     * One HTTP call.
     *
     * @param method  GET, POST, PUT, PATCH or DELETE
     * @param path    appended to the base URL; values percent-encoded
     * @param query   parameters, names and rendered values percent-encoded
     * @param body    null for none
     * @param extract dispatch only: values read from the answer by JSONPath, for {@code {{dispatch.<name>}}}
     */
    public record Operation(String method, ManifestTemplate path, List<Param> query, List<Param> headers,
                            ManifestTemplate body, Duration timeout, Map<String, JsonPath> extract) {
        public Operation {
            query = List.copyOf(query);
            headers = List.copyOf(headers);
            extract = extract == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extract));
        }

        /** Every variable any of the operation's templates refers to. */
        public Set<String> variables() {
            return Stream.of(Stream.of(path), query.stream().map(Param::value), headers.stream().map(Param::value),
                            Stream.ofNullable(body))
                    .flatMap(s -> s)
                    .flatMap(t -> t.variables().stream())
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        }
    }

    /** A query parameter or header: a literal name and a templated value. */
    public record Param(String name, ManifestTemplate value) {}
}
