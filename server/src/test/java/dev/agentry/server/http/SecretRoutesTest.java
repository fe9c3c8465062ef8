package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresVault;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.postgres.vault.MasterKey;
import dev.agentry.postgres.vault.MasterKeys;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The vault's routes on a real server, over PostgresVault on a real database. */
class SecretRoutesTest {
    static final String VALUE = "hunter2-s3cr3t-canary";
    static Database db;
    static PostgresVault vault;

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    final List<HttpResponse<String>> responses = new ArrayList<>();
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream stderr;
    Javalin app;
    String base;

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
        vault = new PostgresVault(db, MasterKeys.of(MasterKey.fromBase64(MasterKey.generate(), "test key")), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void start() {
        // slf4j-simple writes to whatever System.err is when it logs: keep a copy of what the server logs.
        stderr = System.err;
        System.setErr(new PrintStream(new TeeStream(stderr, logged), true, StandardCharsets.UTF_8));
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        var routes = new SecretRoutes(vault, clock);
        app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
            config.routes.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
        System.setErr(stderr);
    }

    /** Copies what is written to two streams. */
    static final class TeeStream extends java.io.OutputStream {
        final java.io.OutputStream a;
        final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        var response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        responses.add(response);
        return response;
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    static String problemType(HttpResponse<String> response) throws Exception {
        return json(response).path("type").asText();
    }

    @Test
    void put_stores_the_value_and_answers_its_metadata_only() throws Exception {
        var created = send("PUT", "/api/workspaces/default/secrets/API_TOKEN", "{\"value\": \"" + VALUE + "\", \"integration\": \"github\"}");
        var replaced = send("PUT", "/api/workspaces/default/secrets/API_TOKEN", "{\"value\": \"" + VALUE + "-2\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).path("name").asText()).isEqualTo("API_TOKEN");
        assertThat(json(created).path("integration").asText()).isEqualTo("github");
        assertThat(json(created).path("version").asInt()).isEqualTo(1);
        assertThat(json(created).has("createdAt")).isTrue();
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(json(replaced).path("version").asInt()).isEqualTo(2);
        assertThat(json(replaced).has("integration")).isFalse();
        assertThat(created.body() + replaced.body()).doesNotContain(VALUE).doesNotContain("value");
        assertThat(vault.reveal("default", "API_TOKEN")).hasValue(VALUE + "-2");
    }

    @Test
    void the_list_tells_what_each_secret_is_and_never_what_it_holds() throws Exception {
        send("PUT", "/api/workspaces/default/secrets/LISTED_A", "{\"value\": \"" + VALUE + "\"}");
        send("PUT", "/api/workspaces/default/secrets/LISTED_B", "{\"value\": \"" + VALUE + "\", \"integration\": \"deploy\"}");

        var list = send("GET", "/api/workspaces/default/secrets", null);

        assertThat(list.statusCode()).isEqualTo(200);
        var names = new ArrayList<String>();
        json(list).path("secrets").forEach(s -> names.add(s.path("name").asText()));
        assertThat(names).contains("LISTED_A", "LISTED_B");
        assertThat(list.body()).doesNotContain(VALUE);
    }

    @Test
    void delete_removes_a_secret_and_a_second_delete_is_a_404() throws Exception {
        send("PUT", "/api/workspaces/default/secrets/GOING", "{\"value\": \"" + VALUE + "\"}");

        assertThat(send("DELETE", "/api/workspaces/default/secrets/GOING", null).statusCode()).isEqualTo(204);
        var again = send("DELETE", "/api/workspaces/default/secrets/GOING", null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(vault.find("default", "GOING")).isEmpty();
    }

    @Test
    void bad_requests_name_the_field_and_never_repeat_what_was_sent() throws Exception {
        var badName = send("PUT", "/api/workspaces/default/secrets/bad.name", "{\"value\": \"" + VALUE + "\"}");
        var missing = send("PUT", "/api/workspaces/default/secrets/OK", "{}");
        var number = send("PUT", "/api/workspaces/default/secrets/OK", "{\"value\": 918273645546}");
        var notJson = send("PUT", "/api/workspaces/default/secrets/OK", "{\"value\": " + VALUE + "}");
        var unknownField = send("PUT", "/api/workspaces/default/secrets/OK", "{\"value\": \"" + VALUE + "\", \"secret\": true}");
        var noWorkspace = send("PUT", "/api/workspaces/nowhere/secrets/OK", "{\"value\": \"" + VALUE + "\"}");

        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName).path("field").asText()).isEqualTo("name");
        assertThat(json(missing).path("field").asText()).isEqualTo("value");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(number.body()).doesNotContain("918273645546");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).path("detail").asText()).startsWith("the body is not valid JSON (line 1");
        assertThat(json(unknownField).path("field").asText()).isEqualTo("secret");
        assertThat(noWorkspace.statusCode()).isEqualTo(404);
        assertThat(json(noWorkspace).path("field").asText()).isEqualTo("workspace");
        assertThat(responses).allSatisfy(r -> assertThat(r.body()).doesNotContain(VALUE));
        assertThat(vault.find("default", "OK")).isEmpty();
    }

    @Test
    void a_lease_is_exchanged_for_its_value_once_then_answers_410() throws Exception {
        vault.put("default", null, "LEASED", VALUE);
        var lease = vault.lease(new LeaseRequest("default", "LEASED", 7, "build", Duration.ofMinutes(5)));
        String body = "{\"token\": \"" + lease.token() + "\"}";

        var first = send("POST", "/api/leases/exchange", body);
        var second = send("POST", "/api/leases/exchange", body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).path("value").asText()).isEqualTo(VALUE);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(second.statusCode()).isEqualTo(410);
        assertThat(problemType(second)).isEqualTo("urn:agentry:problem:lease-exchanged");
        assertThat(second.body()).doesNotContain(VALUE).doesNotContain(lease.token());
        assertThat(logged.toString(StandardCharsets.UTF_8)).as("the exchange is logged, by name")
                .contains("lease on secret LEASED of workspace default exchanged for run 7 step build");
    }

    @Test
    void an_expired_lease_is_a_410_and_an_unknown_token_a_404() throws Exception {
        vault.put("default", null, "EXPIRING", VALUE);
        var lease = vault.lease(new LeaseRequest("default", "EXPIRING", 7, "build", Duration.ofSeconds(30)));
        now.set(lease.expiresAt().plusSeconds(1));

        var expired = send("POST", "/api/leases/exchange", "{\"token\": \"" + lease.token() + "\"}");
        var unknown = send("POST", "/api/leases/exchange", "{\"token\": \"agl_nothing-like-a-real-token\"}");
        var missing = send("POST", "/api/leases/exchange", "{}");

        assertThat(expired.statusCode()).isEqualTo(410);
        assertThat(problemType(expired)).isEqualTo("urn:agentry:problem:lease-expired");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(problemType(unknown)).isEqualTo("urn:agentry:problem:unknown-lease");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("field").asText()).isEqualTo("token");
    }

    @Test
    void nothing_the_server_logs_carries_a_value_or_a_token() throws Exception {
        send("PUT", "/api/workspaces/default/secrets/QUIET", "{\"value\": \"" + VALUE + "\"}");
        var lease = vault.lease(new LeaseRequest("default", "QUIET", 9, "s", Duration.ofMinutes(5)));
        send("POST", "/api/leases/exchange", "{\"token\": \"" + lease.token() + "\"}");
        send("POST", "/api/leases/exchange", "{\"token\": \"" + lease.token() + "\"}");
        send("PUT", "/api/workspaces/default/secrets/QUIET", "{\"value\": " + VALUE + "}");

        String log = logged.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("lease on secret QUIET");
        assertThat(log).doesNotContain(VALUE).doesNotContain(lease.token());
    }
}
