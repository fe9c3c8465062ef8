package dev.agentry.runners.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.ReadContext;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.runners.protocol.JobJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one generic runner pool adapter: dispatches, polls and releases jobs on whatever HTTP API a {@link Manifest}
 * describes (docs/manifests.md), with the JDK's HTTP client.
 *
 * <p>How answers are read: a 2xx is mapped by the manifest's response mapping. A poll answered 404 or 410 means the
 * scheduler no longer knows the job: {@link JobState#LOST}. A dispatch answered 409 means a job of that name exists:
 * it is adopted (polled) rather than started twice. Any other 4xx on dispatch is the scheduler refusing the job:
 * {@link JobState#FAILED} with the answer's problem detail. Answers 401, 403, 407, 408 and 429, every 3xx and 5xx,
 * timeouts, connection errors and answers larger than {@code maxResponseBytes} make the pool unavailable: the job's
 * fate is unknown and the caller asks again later.
 *
 * <p>No secret leaves this class: resolved credentials, the spec's repository credential and callback token are
 * taken out of every message, and bodies are never logged.
 */
public final class ManifestPool implements RunnerPool {
    private static final Logger log = LoggerFactory.getLogger(ManifestPool.class);
    /** How many jobs' extracted dispatch values are kept; the oldest are dropped first. */
    static final int REMEMBERED_JOBS = 10_000;
    /** Time allowed after the headers for the body to arrive. */
    static final Duration BODY_SLACK = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Manifest manifest;
    private final HttpClient http;
    private final AuthHeaders auth;
    /** What each dispatch answered, for {@code {{dispatch.<name>}}}: in memory only (docs/manifests.md says why that is enough). */
    private final Map<String, Map<String, String>> dispatched = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
            return size() > REMEMBERED_JOBS;
        }
    });

    /**
     * @param secrets resolves a manifest's {@code secretRef}s, at each request (empty when the secret is not set)
     * @param http    the client to use; it should not follow redirects (the JDK's default), so credentials never
     *                go to a host the manifest did not name
     */
    public ManifestPool(Manifest manifest, Function<String, Optional<String>> secrets, HttpClient http) {
        this(manifest, secrets, http, Clock.systemUTC());
    }

    /** As above, with the clock that decides when an OAuth 2.0 token is refreshed. */
    public ManifestPool(Manifest manifest, Function<String, Optional<String>> secrets, HttpClient http, Clock clock) {
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.http = Objects.requireNonNull(http, "http");
        this.auth = new AuthHeaders(manifest.providerId(), manifest.auth(), Objects.requireNonNull(secrets, "secrets"), http,
                Objects.requireNonNull(clock, "clock"), manifest.maxResponseBytes());
    }

    public Manifest manifest() {
        return manifest;
    }

    @Override
    public JobView dispatch(JobSpec spec) throws PoolUnavailable {
        String jobId = spec.jobId();
        var redaction = new Redaction();
        if (spec.repository() != null) {
            redaction.add(spec.repository().credential());
        }
        if (spec.callback() != null) {
            redaction.add(spec.callback().token());
        }
        var input = new HashMap<String, Object>();
        input.put("jobId", jobId);
        input.put("job", JobJson.encode(spec));
        input.put("kind", spec.kind());
        input.put("taskBranch", spec.taskBranch());
        input.put("runId", String.valueOf(spec.runId()));
        input.put("stepId", spec.stepId());
        Manifest.Operation op = manifest.dispatch();
        Answer answer = call("dispatch", jobId, op, input, Map.of(), Duration.ZERO, redaction);
        int status = answer.status();
        if (answer.success()) {
            ReadContext doc = ResponseMapping.document(answer.body());
            if (!op.extract().isEmpty()) {
                var values = new LinkedHashMap<String, String>();
                for (Map.Entry<String, JsonPath> e : op.extract().entrySet()) {
                    String value = doc == null ? null : ResponseMapping.extract(doc, e.getValue());
                    if (value == null) {
                        throw new PoolUnavailable(prefix() + "answered the dispatch of job " + jobId + " without a value at "
                                + e.getValue().getPath() + " (operations.dispatch.extract." + e.getKey() + ")");
                    }
                    values.put(e.getKey(), value);
                }
                dispatched.put(jobId, Map.copyOf(values));
            }
            log.info("pool {}: dispatched job {} (HTTP {})", manifest.providerId(), jobId, status);
            return doc == null ? JobView.queued(jobId) : manifest.response().view(jobId, doc, 0);
        }
        if (status == 409) {
            log.info("pool {}: job {} exists already (HTTP 409); adopting it", manifest.providerId(), jobId);
            return poll(jobId, Duration.ZERO, 0);
        }
        if (status >= 400 && status < 500 && !unavailable(status)) {
            String detail = redaction.apply(detail(answer));
            log.warn("pool {}: refused job {} (HTTP {}): {}", manifest.providerId(), jobId, status, detail);
            return new JobView(jobId, JobState.FAILED, null, null, null,
                    new JobView.Failure("pool " + manifest.providerId() + " refused the job (HTTP " + status + "): " + detail, "refused", null, null), null);
        }
        throw refused("the dispatch of job " + jobId, answer, redaction);
    }

    @Override
    public JobView poll(String jobId, Duration wait, long outputFrom) throws PoolUnavailable {
        Manifest.Operation op = manifest.poll();
        Map<String, String> values = dispatchValues(jobId, op);
        if (values == null) {
            return JobView.lost(jobId, "pool " + manifest.providerId() + ": this node no longer knows what the dispatch of job " + jobId
                    + " answered (" + String.join(", ", needed(op)) + "), so it cannot poll it; the job counts as lost");
        }
        Duration held = manifest.longPolls() && wait != null && !wait.isNegative() ? wait : Duration.ZERO;
        var input = new HashMap<String, Object>();
        input.put("jobId", jobId);
        input.put("waitMs", String.valueOf(held.toMillis()));
        input.put("outputFrom", String.valueOf(Math.max(0, outputFrom)));
        var redaction = new Redaction();
        Answer answer = call("poll", jobId, op, input, values, held, redaction);
        if (answer.success()) {
            ReadContext doc = ResponseMapping.document(answer.body());
            if (doc == null) {
                throw new PoolUnavailable(prefix() + "answered the poll of job " + jobId + " with something that is not JSON"
                        + (answer.contentType().isEmpty() ? "" : " (" + answer.contentType() + ")"));
            }
            return manifest.response().view(jobId, doc, outputFrom);
        }
        if (answer.status() == 404 || answer.status() == 410) {
            log.info("pool {}: job {} is unknown to the scheduler (HTTP {}); it is lost", manifest.providerId(), jobId, answer.status());
            return JobView.lost(jobId, "pool " + manifest.providerId() + " no longer knows job " + jobId + " (HTTP " + answer.status() + ")");
        }
        throw refused("the poll of job " + jobId, answer, redaction);
    }

    @Override
    public void release(String jobId) throws PoolUnavailable {
        Manifest.Operation op = manifest.release();
        if (op == null) {
            dispatched.remove(jobId);
            return;
        }
        Map<String, String> values = dispatchValues(jobId, op);
        if (values == null) {
            log.warn("pool {}: cannot release job {}: this node no longer knows what its dispatch answered ({}); the scheduler keeps it until it cleans up",
                    manifest.providerId(), jobId, String.join(", ", needed(op)));
            return;
        }
        var input = new HashMap<String, Object>();
        input.put("jobId", jobId);
        var redaction = new Redaction();
        Answer answer = call("release", jobId, op, input, values, Duration.ZERO, redaction);
        if (answer.success() || answer.status() == 404 || answer.status() == 410) {
            dispatched.remove(jobId);
            log.info("pool {}: released job {} (HTTP {})", manifest.providerId(), jobId, answer.status());
            return;
        }
        throw refused("the release of job " + jobId, answer, redaction);
    }

    // ---------------------------------------------------------------- requests

    private Answer call(String what, String jobId, Manifest.Operation op, Map<String, Object> input, Map<String, String> dispatchValues,
                        Duration held, Redaction redaction) throws PoolUnavailable {
        Map<String, Object> values = Map.of("input", input, "dispatch", dispatchValues);
        Duration timeout = op.timeout().plus(held);
        URI uri;
        HttpRequest request;
        try {
            uri = uri(op, values);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
            boolean accept = false;
            boolean contentType = false;
            for (Manifest.Param h : op.headers()) {
                b.header(h.name(), h.value().render(values));
                accept |= h.name().equalsIgnoreCase("Accept");
                contentType |= h.name().equalsIgnoreCase("Content-Type");
            }
            if (!accept) {
                b.header("Accept", "application/json");
            }
            String body = op.body() == null ? null : op.body().render(values);
            if (body != null && !contentType) {
                b.header("Content-Type", "application/json");
            }
            for (Map.Entry<String, String> h : auth.headers(op.timeout(), redaction)) {
                b.header(h.getKey(), h.getValue());
            }
            b.method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            request = b.build();
        } catch (IllegalArgumentException e) {
            // A header value the client refuses (a line break from an extracted value, say): said without the value.
            throw new PoolUnavailable(prefix() + "could not build the request for " + what + " of job " + jobId + ": a header or URL value is not allowed");
        }
        try {
            Answer answer = Answer.send(http, request, manifest.maxResponseBytes(), timeout.plus(BODY_SLACK));
            log.debug("pool {}: {} {} {} -> HTTP {}", manifest.providerId(), what, op.method(), uri.getRawPath(), answer.status());
            if (answer.status() == 401) {
                auth.rejected();
            }
            return answer;
        } catch (HttpTimeoutException e) {
            throw new PoolUnavailable(prefix() + "no answer to the " + what + " of job " + jobId + " within " + timeout.toMillis() + " ms");
        } catch (Answer.TooLarge e) {
            throw new PoolUnavailable(prefix() + "answered the " + what + " of job " + jobId + " with more than " + manifest.maxResponseBytes()
                    + " bytes (maxResponseBytes)");
        } catch (IOException e) {
            throw new PoolUnavailable(prefix() + "could not be reached at " + uri.getHost() + " for the " + what + " of job " + jobId + ": "
                    + redaction.apply(describe(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolUnavailable(prefix() + "interrupted during the " + what + " of job " + jobId);
        }
    }

    private URI uri(Manifest.Operation op, Map<String, Object> values) {
        var s = new StringBuilder(manifest.baseUrl().toString()).append(op.path().render(values));
        String query = op.query().stream()
                .map(p -> ManifestTemplate.percentEncode(p.name()) + "=" + ManifestTemplate.percentEncode(p.value().render(values)))
                .collect(Collectors.joining("&"));
        if (!query.isEmpty()) {
            s.append('?').append(query);
        }
        return URI.create(s.toString());
    }

    /** The values dispatch extracted that {@code op} needs; null when some are not known here. */
    private Map<String, String> dispatchValues(String jobId, Manifest.Operation op) {
        Set<String> needed = needed(op);
        if (needed.isEmpty()) {
            return Map.of();
        }
        Map<String, String> known = dispatched.get(jobId);
        return known != null && known.keySet().containsAll(needed) ? known : null;
    }

    private static Set<String> needed(Manifest.Operation op) {
        return op.variables().stream().filter(v -> v.startsWith("dispatch.")).map(v -> v.substring("dispatch.".length()))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static boolean unavailable(int status) {
        return status == 401 || status == 403 || status == 407 || status == 408 || status == 429;
    }

    private PoolUnavailable refused(String what, Answer answer, Redaction redaction) {
        int s = answer.status();
        String why = s == 401 || s == 403 ? " (the pool refused the credentials)"
                : s >= 300 && s < 400 ? " (redirects are not followed)"
                : s == 429 ? " (too many requests)" : "";
        return new PoolUnavailable(prefix() + "answered HTTP " + s + why + " to " + what + ": " + redaction.apply(detail(answer)));
    }

    private String prefix() {
        return "pool " + manifest.providerId() + " ";
    }

    /**
     * What an error answer says, shortly: an RFC 9457 problem's detail or title, a Kubernetes Status's message, an
     * {@code error} field, or the start of the text.
     */
    static String detail(Answer answer) {
        String text = answer.text().strip();
        if (text.isEmpty()) {
            return "no detail";
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.isObject()) {
                for (String field : new String[] {"detail", "message", "title", "error_description", "error"}) {
                    JsonNode v = n.get(field);
                    if (v != null && v.isTextual() && !v.asText().isBlank()) {
                        return abbreviate(v.asText().strip());
                    }
                    if (v != null && v.isObject() && v.path("message").isTextual()) {
                        return abbreviate(v.path("message").asText().strip());
                    }
                }
            }
        } catch (IOException e) {
            // not JSON: the text itself
        }
        return abbreviate(text.replaceAll("\\s+", " "));
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 497) + "...";
    }
}
