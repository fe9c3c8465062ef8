package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.testing.MutableClock;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.RunnerPool.PoolUnavailable;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each auth kind puts the right header on the wire, with secrets resolved by reference. */
class ManifestAuthTest {
    static final Map<String, String> SECRETS = Map.of(
            "api-key", "k-0f9e8d7c",
            "bearer-token", "b-1a2b3c4d",
            "user", "agentry",
            "password", "pa:ss-5e6f",
            "client-id", "agentry-client",
            "client-secret", "cs-9z8y7x6w",
            "token-a", "ta-1111",
            "token-b", "tb-2222");

    final AtomicInteger tokenCalls = new AtomicInteger();
    volatile int tokenLifetimeSeconds = 3600;
    volatile boolean refuseTokens;
    volatile int apiStatus = 200;
    StubServer stub;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        stub = StubServer.start(r -> {
            if (r.path().equals("/token")) {
                if (refuseTokens) {
                    return StubServer.Response.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"client "
                            + r.formBody().getOrDefault("client_id", "") + " is unknown\"}");
                }
                int n = tokenCalls.incrementAndGet();
                return StubServer.Response.json(200, "{\"access_token\":\"at-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":" + tokenLifetimeSeconds + "}");
            }
            return StubServer.Response.json(apiStatus, apiStatus == 200 ? "{\"status\":\"running\"}" : "{\"detail\":\"no\"}");
        });
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    ManifestPool pool(String auth) {
        return pool(auth, ref -> Optional.ofNullable(SECRETS.get(ref)));
    }

    ManifestPool pool(String auth, java.util.function.Function<String, Optional<String>> secrets) {
        String source = """
                providerId: stub
                label: Stub scheduler
                baseUrl: %s
                auth:
                %s
                operations:
                  dispatch: {method: POST, pathTemplate: /jobs, bodyTemplate: '{{{input.job}}}'}
                  poll: {method: GET, pathTemplate: "/jobs/{{input.jobId}}"}
                response:
                  statusPath: $.status
                  statusMap: {running: running}
                  defaultStatus: queued
                """.formatted(stub.baseUrl(), auth.indent(2).stripTrailing());
        return new ManifestPool(ManifestParser.parse(source, Examples.LOOPBACK), secrets, http, clock);
    }

    StubServer.Request poll(ManifestPool pool) throws PoolUnavailable {
        assertThat(pool.poll("agentry-j", Duration.ZERO, 0).state()).isEqualTo(JobState.RUNNING);
        return stub.requests().stream().filter(r -> r.path().startsWith("/jobs/")).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void none_sends_no_credentials() throws Exception {
        StubServer.Request r = poll(pool("none: {}"));
        assertThat(r.header("Authorization")).isNull();
        assertThat(r.header("Accept")).isEqualTo("application/json");
    }

    @Test
    void api_key_sends_the_secret_in_the_named_header_after_its_prefix() throws Exception {
        StubServer.Request r = poll(pool("api_key: {headerName: X-Api-Key, secretRef: api-key, valuePrefix: 'Key '}"));
        assertThat(r.header("X-Api-Key")).isEqualTo("Key k-0f9e8d7c");
        assertThat(poll(pool("api_key: {headerName: X-Api-Key, secretRef: api-key}")).header("X-Api-Key")).isEqualTo("k-0f9e8d7c");
    }

    @Test
    void bearer_sends_the_secret_as_a_bearer_token() throws Exception {
        assertThat(poll(pool("bearer: {secretRef: bearer-token}")).header("Authorization")).isEqualTo("Bearer b-1a2b3c4d");
    }

    @Test
    void basic_sends_the_username_and_password_encoded() throws Exception {
        String header = poll(pool("basic: {usernameSecretRef: user, passwordSecretRef: password}")).header("Authorization");
        assertThat(header).isEqualTo("Basic " + Base64.getEncoder().encodeToString("agentry:pa:ss-5e6f".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void custom_headers_send_each_secret_in_its_header() throws Exception {
        StubServer.Request r = poll(pool("custom_headers: {headers: [{name: X-Token-A, secretRef: token-a}, {name: X-Token-B, secretRef: token-b}]}"));
        assertThat(r.header("X-Token-A")).isEqualTo("ta-1111");
        assertThat(r.header("X-Token-B")).isEqualTo("tb-2222");
    }

    String oauth2() {
        return """
                oauth2_client_credentials:
                  tokenUrl: %s/token
                  clientIdSecretRef: client-id
                  clientSecretSecretRef: client-secret
                  scope: jobs:write jobs:read
                  audience: https://sched.example.com""".formatted(stub.baseUrl());
    }

    @Test
    void oauth2_fetches_a_token_once_and_reuses_it_until_shortly_before_it_expires() throws Exception {
        ManifestPool pool = pool(oauth2());
        assertThat(poll(pool).header("Authorization")).isEqualTo("Bearer at-1");
        StubServer.Request tokenRequest = stub.requests().get(0);
        assertThat(tokenRequest.method()).isEqualTo("POST");
        assertThat(tokenRequest.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(tokenRequest.formBody()).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "agentry-client")
                .containsEntry("client_secret", "cs-9z8y7x6w").containsEntry("scope", "jobs:write jobs:read")
                .containsEntry("audience", "https://sched.example.com");

        clock.advance(Duration.ofSeconds(3000));
        assertThat(poll(pool).header("Authorization")).isEqualTo("Bearer at-1");
        assertThat(tokenCalls).hasValue(1);

        clock.advance(Duration.ofSeconds(550)); // 50 s before expiry: inside the refresh margin
        assertThat(poll(pool).header("Authorization")).isEqualTo("Bearer at-2");
        assertThat(tokenCalls).hasValue(2);
        assertThat(poll(pool).header("Authorization")).isEqualTo("Bearer at-2");
        assertThat(tokenCalls).hasValue(2);
    }

    @Test
    void oauth2_drops_a_token_the_pool_refuses() throws Exception {
        ManifestPool pool = pool(oauth2());
        poll(pool);
        apiStatus = 401;
        assertThatThrownBy(() -> pool.poll("agentry-j", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("HTTP 401").hasMessageNotContaining("at-1");
        apiStatus = 200;
        assertThat(poll(pool).header("Authorization")).isEqualTo("Bearer at-2");
    }

    @Test
    void oauth2_refused_by_the_token_endpoint_makes_the_pool_unavailable_without_the_client_secret() {
        refuseTokens = true;
        assertThatThrownBy(() -> pool(oauth2()).poll("agentry-j", Duration.ZERO, 0))
                .isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("could not get an access token from " + stub.baseUrl() + "/token (HTTP 401)")
                .hasMessageContaining("client (redacted) is unknown")
                .hasMessageNotContaining("cs-9z8y7x6w")
                .hasMessageNotContaining("agentry-client");
    }

    @Test
    void a_missing_secret_makes_the_pool_unavailable_naming_the_reference_and_no_value() {
        var onlyUser = pool("basic: {usernameSecretRef: user, passwordSecretRef: password}",
                ref -> ref.equals("user") ? Optional.of("agentry") : Optional.empty());
        assertThatThrownBy(() -> onlyUser.poll("agentry-j", Duration.ZERO, 0))
                .isInstanceOf(PoolUnavailable.class)
                .hasMessage("pool stub: secret 'password' (auth.basic.passwordSecretRef) is not set");
        assertThat(stub.requests()).isEmpty();
    }
}
