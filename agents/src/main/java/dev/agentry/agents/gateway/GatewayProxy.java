package dev.agentry.agents.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.secret.Redactor;
import dev.agentry.core.spend.Admission;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.GatewayTokens;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.Metering;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model gateway: every model call of an agent passes here. It takes the run-scoped token the agent presents
 * in place of a provider key, asks the budgets, forwards the call with the provider's real key, streams the reply
 * back as it arrives, and meters what the provider answered. Errors it answers itself are in the format of the
 * API that was called, so the agent's own client reports them as it would the provider's.
 */
public final class GatewayProxy {
    private static final Logger log = LoggerFactory.getLogger(GatewayProxy.class);

    /** Reply headers the agent's client may act on: content type, back-off hints, ids to quote to the provider. */
    private static final Set<String> REPLY_HEADERS = Set.of("content-type", "retry-after", "retry-after-ms",
            "request-id", "x-request-id", "openai-processing-ms");
    private static final String[] REPLY_HEADER_PREFIXES = {"anthropic-ratelimit-", "x-ratelimit-"};

    /**
     * @param requestTimeout how long the provider may take to start answering (a stream may then run longer)
     * @param maxBodyBytes   the largest request body forwarded; larger ones are answered 413
     */
    public record Settings(Duration requestTimeout, int maxBodyBytes) {
        public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(10), 32 << 20);

        public Settings {
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
            }
            if (maxBodyBytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
            }
        }
    }

    private final GatewayTokens tokens;
    private final Function<String, Optional<ProviderEndpoint>> providers;
    private final Metering metering;
    private final HttpClient http;
    private final Settings settings;
    private final Clock clock;
    /** A workspace's secret values, taken out of every prompt before it leaves or is stored. */
    private volatile Function<String, Redactor> redactors = workspace -> Redactor.of(java.util.List.of());

    /** Whether the workspace's policy lets a scope call a model: empty when it may, else why not. */
    @FunctionalInterface
    public interface CallPolicy {
        /** @param promptBytes the request's size, for an estimate of what the call costs */
        Optional<String> refusal(CallScope scope, String model, int promptBytes);
    }

    private volatile CallPolicy policy = (scope, model, promptBytes) -> Optional.empty();

    /** Asks the workspace's policy before every call; a call it does not allow never leaves (403). */
    public GatewayProxy decidingWith(CallPolicy policy) {
        this.policy = Objects.requireNonNull(policy);
        return this;
    }

    /** Takes each workspace's secrets out of the prompts its agents send (a prompt never carries one on). */
    public GatewayProxy redactingWith(Function<String, Redactor> byWorkspace) {
        this.redactors = Objects.requireNonNull(byWorkspace);
        return this;
    }

    /**
     * @param providers the configured provider of a name (a call scope's {@link CallScope#provider()})
     * @param http      shared by every call; {@link #httpClient(Duration)} makes a suitable one
     */
    public GatewayProxy(GatewayTokens tokens, Function<String, Optional<ProviderEndpoint>> providers, Metering metering,
                        HttpClient http, Settings settings, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens);
        this.providers = Objects.requireNonNull(providers);
        this.metering = Objects.requireNonNull(metering);
        this.http = Objects.requireNonNull(http);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
    }

    /** A client for the providers: HTTP/1.1 (what every OpenAI-compatible server speaks), redirects not followed. */
    public static HttpClient httpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Answers one model call into {@code sink}; returns when the answer is complete and metered.
     *
     * @param presentedToken the key the agent's client sent (the run-scoped token), or null
     * @param requestHeaders the request's header of a (lower-case) name, or null
     * @param body           the request body, read here up to {@link Settings#maxBodyBytes()}
     * @throws IOException only when writing to the client fails before the answer began
     */
    public void handle(Api api, String presentedToken, Function<String, String> requestHeaders, InputStream body,
                       ResponseSink sink) throws IOException {
        ProviderWire wire = ProviderWire.of(api);
        CallScope scope;
        GatewayRequest request;
        int promptBytes;
        ProviderEndpoint endpoint;
        try {
            scope = authenticate(presentedToken);
            byte[] raw = read(requestHeaders, body);
            request = wire.parse(redacted(scope, raw));
            promptBytes = raw.length;
            endpoint = endpoint(scope, api);
            if (metering.admit(scope) instanceof Admission.Refused refused) {
                throw new GatewayRefusal(402, GatewayRefusal.Kind.BUDGET_EXCEEDED, "budget exceeded: " + refused.reason(), null);
            }
            var notAllowed = policy.refusal(scope, request.model(), promptBytes);
            if (notAllowed.isPresent()) {
                throw new GatewayRefusal(403, GatewayRefusal.Kind.POLICY, notAllowed.get(), null);
            }
        } catch (GatewayRefusal refusal) {
            refuse(wire, refusal, sink);
            return;
        }
        forward(wire, scope, request, endpoint, requestHeaders, sink);
    }

    /** {@link #handle(Api, String, Function, InputStream, ResponseSink)} for a body already in memory. */
    public void handle(Api api, String presentedToken, Function<String, String> requestHeaders, byte[] body,
                       ResponseSink sink) throws IOException {
        handle(api, presentedToken, requestHeaders, new java.io.ByteArrayInputStream(body), sink);
    }

    private byte[] redacted(CallScope scope, byte[] body) {
        Redactor redactor = redactors.apply(scope.workspace());
        if (redactor.isEmpty()) {
            return body;
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        String clean = redactor.redact(text);
        return clean.equals(text) ? body : clean.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private CallScope authenticate(String token) throws GatewayRefusal {
        Optional<CallScope> scope = token == null || token.isBlank() ? Optional.empty() : tokens.resolve(token, clock.instant());
        return scope.orElseThrow(() -> new GatewayRefusal(401, GatewayRefusal.Kind.AUTHENTICATION,
                "invalid gateway token: it is missing, unknown, expired or revoked", null));
    }

    private byte[] read(Function<String, String> headers, InputStream body) throws GatewayRefusal {
        int max = settings.maxBodyBytes();
        String declared = headers.apply("content-length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > max) {
                    throw tooLarge(max);
                }
            } catch (NumberFormatException e) {
                throw GatewayRefusal.invalid(null, "content-length is not a number");
            }
        }
        try {
            byte[] bytes = body.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(max);
            }
            return bytes;
        } catch (IOException e) {
            throw GatewayRefusal.invalid(null, "the request body could not be read: " + e.getMessage());
        }
    }

    private static GatewayRefusal tooLarge(int max) {
        return new GatewayRefusal(413, GatewayRefusal.Kind.TOO_LARGE, "request bodies are limited to " + max + " bytes", null);
    }

    private ProviderEndpoint endpoint(CallScope scope, Api api) throws GatewayRefusal {
        ProviderEndpoint endpoint = providers.apply(scope.provider()).orElseThrow(() -> GatewayRefusal.invalid(null,
                "the step's provider '" + scope.provider() + "' is not configured on this server"));
        if (endpoint.api() != api) {
            throw GatewayRefusal.invalid(null, "the step's provider '" + endpoint.name() + "' speaks the "
                    + endpoint.api().wireName() + " API; call it under /gateway/" + endpoint.api().wireName());
        }
        return endpoint;
    }

    private void forward(ProviderWire wire, CallScope scope, GatewayRequest request, ProviderEndpoint endpoint,
                         Function<String, String> requestHeaders, ResponseSink sink) throws IOException {
        byte[] sent;
        try {
            sent = CanonicalJson.MAPPER.writeValueAsBytes(wire.withCacheHints(request, scope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed request could not be written back", e);
        }
        var upstream = HttpRequest.newBuilder(wire.endpoint(endpoint.baseUrl()))
                .timeout(settings.requestTimeout())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sent));
        String accept = requestHeaders.apply("accept");
        if (accept != null && !accept.isBlank()) {
            upstream.header("accept", accept);
        }
        wire.authorize(upstream, endpoint.apiKey(), requestHeaders);

        long started = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = http.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            refuse(wire, unreachable(endpoint, e), sink);
            return;
        } catch (HttpTimeoutException e) {
            refuse(wire, new GatewayRefusal(504, GatewayRefusal.Kind.UPSTREAM_TIMEOUT, "the provider '" + endpoint.name()
                    + "' did not answer within " + settings.requestTimeout().toSeconds() + " s", null), sink);
            return;
        } catch (IOException e) {
            refuse(wire, unreachable(endpoint, e), sink);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refuse(wire, unreachable(endpoint, e), sink);
            return;
        }

        int status = response.statusCode();
        boolean answered = status >= 200 && status < 300;
        String contentType = response.headers().firstValue("content-type").orElse(null);
        ReplyMeter meter = answered ? ReplyMeter.of(wire, contentType) : null;
        boolean complete = relay(response, meter, sink);
        Duration latency = Duration.ofNanos(System.nanoTime() - started);
        if (complete) {
            try {
                sink.finish();
            } catch (IOException e) {
                log.debug("the client left before the gateway completed its answer", e);
            }
        }
        if (answered) {
            // A reply cut short by the client or the provider is billed all the same: its prompt was read.
            ReplyMeter.Metered metered = meter.finish();
            try {
                metering.record(new MeteredCall(scope, wire.api().wireName(), request.model(), metered.usage(), latency,
                        status, request.promptItems(), metered.reply()));
            } catch (RuntimeException e) {
                log.error("metering a {} call of run {} step {} failed", wire.api().wireName(), scope.runId(), scope.stepId(), e);
            }
        }
    }

    /** Streams the reply to the client, chunk by chunk, flushing each; false when either side broke off. */
    private static boolean relay(HttpResponse<InputStream> response, ReplyMeter meter, ResponseSink sink) throws IOException {
        try (InputStream in = response.body()) {
            sink.start(response.statusCode(), replyHeaders(response.headers()));
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                try {
                    sink.write(buffer, 0, n);
                } catch (IOException e) {
                    log.debug("the client left during the reply", e);
                    return false; // closing the body cancels the provider's stream
                }
                if (meter != null) {
                    meter.feed(buffer, 0, n);
                }
            }
            return true;
        } catch (IOException e) {
            log.warn("the provider's reply broke off: {}", e.toString());
            return false;
        }
    }

    private static Map<String, String> replyHeaders(HttpHeaders headers) {
        var out = new LinkedHashMap<String, String>();
        headers.map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!values.isEmpty() && (REPLY_HEADERS.contains(lower)
                    || Arrays.stream(REPLY_HEADER_PREFIXES).anyMatch(lower::startsWith))) {
                out.put(lower, values.get(0));
            }
        });
        return out;
    }

    private static GatewayRefusal unreachable(ProviderEndpoint endpoint, Exception e) {
        return new GatewayRefusal(502, GatewayRefusal.Kind.UPSTREAM_UNREACHABLE, "the provider '" + endpoint.name()
                + "' could not be reached: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null);
    }

    private static void refuse(ProviderWire wire, GatewayRefusal refusal, ResponseSink sink) throws IOException {
        byte[] body = wire.error(refusal);
        sink.start(refusal.status(), Map.of("content-type", "application/json"));
        sink.write(body, 0, body.length);
        sink.finish();
    }
}
