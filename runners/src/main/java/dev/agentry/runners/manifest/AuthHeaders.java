package dev.agentry.runners.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.job.RunnerPool.PoolUnavailable;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The headers a manifest's auth puts on each request, made from secrets resolved at that moment (so a rotated
 * secret is used at once). For OAuth 2.0 client credentials, the access token is fetched once and reused until
 * shortly before it expires; an answer of 401 drops it so the next call fetches a fresh one.
 */
final class AuthHeaders {
    /** Used when a token endpoint does not say how long its token lives (RFC 6749 makes expires_in optional). */
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(5);
    /** A token is refreshed this long before it expires, or halfway through a shorter life. */
    static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String providerId;
    private final Auth auth;
    private final Function<String, Optional<String>> secrets;
    private final HttpClient http;
    private final Clock clock;
    private final int maxResponseBytes;
    private final Object tokenLock = new Object();
    private Token token;

    private record Token(String value, Instant refreshAt) {}

    AuthHeaders(String providerId, Auth auth, Function<String, Optional<String>> secrets, HttpClient http, Clock clock, int maxResponseBytes) {
        this.providerId = providerId;
        this.auth = auth;
        this.secrets = secrets;
        this.http = http;
        this.clock = clock;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** Header name and value pairs; every secret used is added to {@code redaction}. */
    List<Map.Entry<String, String>> headers(Duration timeout, Redaction redaction) throws PoolUnavailable {
        var headers = new ArrayList<Map.Entry<String, String>>();
        switch (auth) {
            case Auth.None none -> { }
            case Auth.ApiKey k -> headers.add(header(k.headerName(), k.valuePrefix() + secret(k.secretRef(), "api_key.secretRef", redaction), redaction));
            case Auth.Bearer b -> headers.add(header("Authorization", "Bearer " + secret(b.secretRef(), "bearer.secretRef", redaction), redaction));
            case Auth.Basic b -> {
                String pair = secret(b.usernameSecretRef(), "basic.usernameSecretRef", redaction) + ":"
                        + secret(b.passwordSecretRef(), "basic.passwordSecretRef", redaction);
                headers.add(header("Authorization", "Basic " + redact(Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)), redaction), redaction));
            }
            case Auth.OAuth2ClientCredentials o -> headers.add(header("Authorization", "Bearer " + token(o, timeout, redaction), redaction));
            case Auth.CustomHeaders c -> {
                for (Auth.SecretHeader h : c.headers()) {
                    headers.add(header(h.name(), secret(h.secretRef(), "custom_headers.headers[].secretRef", redaction), redaction));
                }
            }
        }
        return headers;
    }

    /** The pool refused the credentials: a cached token is not trusted again. */
    void rejected() {
        synchronized (tokenLock) {
            token = null;
        }
    }

    private String token(Auth.OAuth2ClientCredentials o, Duration timeout, Redaction redaction) throws PoolUnavailable {
        synchronized (tokenLock) {
            Instant now = clock.instant();
            if (token != null && now.isBefore(token.refreshAt())) {
                return redact(token.value(), redaction);
            }
            String clientId = secret(o.clientIdSecretRef(), "oauth2_client_credentials.clientIdSecretRef", redaction);
            String clientSecret = secret(o.clientSecretSecretRef(), "oauth2_client_credentials.clientSecretSecretRef", redaction);
            var form = new StringBuilder("grant_type=client_credentials")
                    .append("&client_id=").append(ManifestTemplate.percentEncode(clientId))
                    .append("&client_secret=").append(ManifestTemplate.percentEncode(clientSecret));
            redaction.add(ManifestTemplate.percentEncode(clientSecret));
            if (o.scope() != null) {
                form.append("&scope=").append(ManifestTemplate.percentEncode(o.scope()));
            }
            if (o.audience() != null) {
                form.append("&audience=").append(ManifestTemplate.percentEncode(o.audience()));
            }
            HttpRequest request = HttpRequest.newBuilder(o.tokenUrl())
                    .timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8))
                    .build();
            String where = "pool " + providerId + " could not get an access token from " + o.tokenUrl();
            Answer answer;
            try {
                answer = Answer.send(http, request, maxResponseBytes, timeout.plus(ManifestPool.BODY_SLACK));
            } catch (HttpTimeoutException e) {
                throw new PoolUnavailable(where + ": no answer within " + timeout.toMillis() + " ms");
            } catch (IOException e) {
                throw new PoolUnavailable(where + ": " + redaction.apply(ManifestPool.describe(e)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolUnavailable(where + ": interrupted");
            }
            if (!answer.success()) {
                throw new PoolUnavailable(where + " (HTTP " + answer.status() + "): " + redaction.apply(ManifestPool.detail(answer)));
            }
            JsonNode body;
            try {
                body = JSON.readTree(answer.body());
            } catch (IOException e) {
                throw new PoolUnavailable(where + ": the answer is not JSON");
            }
            JsonNode accessToken = body == null ? null : body.get("access_token");
            if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
                throw new PoolUnavailable(where + ": the answer has no access_token");
            }
            JsonNode type = body.get("token_type");
            if (type != null && type.isTextual() && !type.asText().equalsIgnoreCase("bearer")) {
                throw new PoolUnavailable(where + ": token type '" + type.asText() + "' is not supported; expected bearer");
            }
            Duration lifetime = DEFAULT_TOKEN_LIFETIME;
            JsonNode expiresIn = body.get("expires_in");
            if (expiresIn != null && (expiresIn.isNumber() || expiresIn.isTextual())) {
                try {
                    long seconds = expiresIn.isNumber() ? expiresIn.asLong() : Long.parseLong(expiresIn.asText().strip());
                    if (seconds > 0) {
                        lifetime = Duration.ofSeconds(seconds);
                    }
                } catch (NumberFormatException e) {
                    // not a number of seconds: keep the default lifetime
                }
            }
            Duration early = lifetime.dividedBy(2).compareTo(REFRESH_BEFORE_EXPIRY) < 0 ? lifetime.dividedBy(2) : REFRESH_BEFORE_EXPIRY;
            token = new Token(accessToken.asText(), now.plus(lifetime).minus(early));
            return redact(token.value(), redaction);
        }
    }

    private String secret(String ref, String field, Redaction redaction) throws PoolUnavailable {
        Optional<String> value = secrets.apply(ref);
        if (value == null || value.isEmpty() || value.get().isEmpty()) {
            throw new PoolUnavailable("pool " + providerId + ": secret '" + ref + "' (auth." + field + ") is not set");
        }
        return redact(value.get(), redaction);
    }

    private static String redact(String secret, Redaction redaction) {
        redaction.add(secret);
        return secret;
    }

    private static Map.Entry<String, String> header(String name, String value, Redaction redaction) {
        redaction.add(value);
        return Map.entry(name, value);
    }
}
