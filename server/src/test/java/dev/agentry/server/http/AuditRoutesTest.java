package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.audit.AuditEntry;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresAuditLog;
import dev.agentry.postgres.TestDatabase;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit routes on a real server, over the PostgreSQL audit log. */
class AuditRoutesTest {
    final HttpClient client = HttpClient.newHttpClient();
    Database db;
    PostgresAuditLog audit;
    Javalin app;
    String base;

    @BeforeEach
    void start() {
        db = TestDatabase.fresh();
        audit = new PostgresAuditLog(db, Clock.systemUTC());
        var routes = new AuditRoutes(audit);
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
            config.routes.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
        db.close();
    }

    HttpResponse<String> send(String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    void appendMerges(int n) {
        for (int i = 1; i <= n; i++) {
            audit.append(AuditEntry.byStep("pr-merge", "shop", 40 + i, "merge", "pr shop#" + i, Map.of("method", "squash")));
        }
    }

    @Test
    void a_workspace_lists_its_entries_with_their_links_and_pages_on_with_after() throws Exception {
        appendMerges(3);
        audit.append(AuditEntry.of("policy-change", "blog", "alice", "policy blog/merge", Map.of()));

        var first = send("GET", "/api/workspaces/shop/audit?limit=2");
        assertThat(first.statusCode()).isEqualTo(200);
        JsonNode page = json(first);
        assertThat(page.at("/items/0/id").asLong()).isEqualTo(1);
        assertThat(page.at("/items/0/action").asText()).isEqualTo("pr-merge");
        assertThat(page.at("/items/0/actor").asText()).isEqualTo("run:41/merge");
        assertThat(page.at("/items/0/target").asText()).isEqualTo("pr shop#1");
        assertThat(page.at("/items/0/detail/method").asText()).isEqualTo("squash");
        assertThat(page.at("/items/0/runId").asLong()).isEqualTo(41);
        assertThat(page.at("/items/0/stepId").asText()).isEqualTo("merge");
        assertThat(page.at("/items/0/prevHash").asText()).isEqualTo("00".repeat(32));
        assertThat(page.at("/items/1/prevHash").asText()).isEqualTo(page.at("/items/0/hash").asText());
        assertThat(page.path("next").asLong()).isEqualTo(2);

        JsonNode rest = json(send("GET", "/api/workspaces/shop/audit?after=2&limit=2"));
        assertThat(rest.path("items")).extracting(e -> e.path("id").asLong()).containsExactly(3L);
        assertThat(rest.has("next")).isFalse();
        JsonNode blog = json(send("GET", "/api/workspaces/blog/audit"));
        assertThat(blog.path("items")).extracting(e -> e.path("action").asText()).containsExactly("policy-change");
        assertThat(blog.at("/items/0").has("runId")).isFalse();
    }

    @Test
    void a_bad_after_or_limit_is_a_400_naming_the_parameter() throws Exception {
        var after = send("GET", "/api/workspaces/shop/audit?after=-1");
        var limit = send("GET", "/api/workspaces/shop/audit?limit=5000");

        assertThat(after.statusCode()).isEqualTo(400);
        assertThat(json(after).path("field").asText()).isEqualTo("after");
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(json(limit).path("field").asText()).isEqualTo("limit");
    }

    @Test
    void verify_answers_intact_with_the_count_and_the_head_hash() throws Exception {
        appendMerges(3);
        String head = audit.list("shop", 2, 1).get(0).hash();

        var response = send("POST", "/api/audit/verify");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(ApiJson.MAPPER.readTree("{\"intact\": true, \"entries\": 3, \"head\": \"" + head + "\"}"));
    }

    @Test
    void verify_answers_broken_with_the_first_broken_entry_and_why() throws Exception {
        appendMerges(3);
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
            s.execute("UPDATE audit_log SET target = 'pr shop#99' WHERE id = 2");
            s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
        }

        JsonNode body = json(send("POST", "/api/audit/verify"));

        assertThat(body.path("intact").asBoolean()).isFalse();
        assertThat(body.path("firstBroken").asLong()).isEqualTo(2);
        assertThat(body.path("why").asText()).contains("changed after it was written");
    }

    @Test
    void a_log_that_cannot_be_read_is_a_503_not_a_500() throws Exception {
        db.close();

        var response = send("POST", "/api/audit/verify");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(json(response).path("type").asText()).isEqualTo("urn:agentry:problem:audit-unavailable");
    }
}
