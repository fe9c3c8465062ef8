package dev.agentry.server.access;

import static dev.agentry.server.work.GitFixture.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import dev.agentry.server.work.GitFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit-first writes: with the audit log's table made unwritable (a real fault, in the database the port
 * writes to), a push, a merge and a secret lease do not happen, and the step says why.
 */
class AuditFirstTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static String url;
    static TestServer server;
    static Database db;
    static Path origin;
    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        url = TestDatabase.freshUrl();
        server = new TestServer(TestServer.EVENTS, url, ServerConfig.Work.DEFAULTS);
        db = Database.open(url, 2);
        origin = GitFixture.origin(dir.resolve("shop.git"), "README.md", "# Shop\n");
        assertThat(server.post("/api/workspaces/default/repositories",
                "{\"name\": \"shop\", \"url\": \"" + origin + "\", \"baseBranch\": \"main\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        db.close();
        server.close();
    }

    /** The fault: the audit log's table is gone until the returned restore runs. */
    private static AutoCloseable auditLogBroken() {
        sql("ALTER TABLE audit_log RENAME TO audit_log_unreachable");
        return () -> sql("ALTER TABLE audit_log_unreachable RENAME TO audit_log");
    }

    private static void sql(String statement) {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute(statement);
            }
            return null;
        });
    }

    private static JsonNode run(long id) throws Exception {
        return JSON.readTree(server.get("/api/workspaces/default/runs/" + id).body());
    }

    private static long start(String yaml) throws Exception {
        var applied = server.post("/api/workspaces/default/pipelines", yaml, "application/yaml");
        assertThat(applied.statusCode()).as(applied.body()).isIn(200, 201);
        String name = JSON.readTree(applied.body()).path("name").asText();
        return JSON.readTree(server.post("/api/workspaces/default/runs", "{\"pipeline\": \"" + name + "\"}").body()).path("id").asLong();
    }

    private static JsonNode finished(long id) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !java.util.List.of("queued", "running").contains(run(id).path("status").asText()));
        return run(id);
    }

    @Test
    void without_the_audit_log_a_push_does_not_happen_and_the_step_says_why() throws Exception {
        long id;
        try (var broken = auditLogBroken()) {
            id = start("""
                    name: push
                    repository: shop
                    steps:
                      - id: edit
                        kind: command
                        run: echo x > X.md
                    """);
            assertThat(finished(id).path("status").asText()).isEqualTo("failed");
        }
        assertThat(run(id).at("/steps/0/error").asText()).contains("audit log unavailable").contains("git-push")
                .contains("was not done");
        assertThat(git(origin, "branch", "--format=%(refname:short)")).doesNotContain("agentry/" + id + "-");
        var verify = server.post("/api/audit/verify", "{}");
        assertThat(JSON.readTree(verify.body()).path("intact").asBoolean()).as(verify.body()).isTrue();
    }

    @Test
    void without_the_audit_log_a_merge_does_not_happen() throws Exception {
        long id = start("""
                name: merge
                repository: shop
                steps:
                  - id: edit
                    kind: command
                    run: echo y > Y.md
                  - id: open
                    kind: open-pr
                    needs: [edit]
                  - id: hold
                    kind: approval
                    needs: [open]
                  - id: merge
                    kind: merge
                    needs: [hold]
                """);
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).path("status").asText().equals("needs-you"));
        String mainBefore = git(origin, "rev-parse", "main").strip();
        long decision = JSON.readTree(server.get("/api/workspaces/default/decisions").body()).path("items").findValues("id").stream()
                .mapToLong(JsonNode::asLong).max().orElseThrow();
        try (var broken = auditLogBroken()) {
            server.post("/api/workspaces/default/decisions/" + decision + "/approve", "{}");
            assertThat(finished(id).path("status").asText()).isEqualTo("failed");
        }
        JsonNode merge = null;
        for (JsonNode s : run(id).path("steps")) {
            if (s.path("id").asText().equals("merge")) {
                merge = s;
            }
        }
        assertThat(merge.path("error").asText()).contains("audit log unavailable").contains("pr-merge");
        assertThat(git(origin, "rev-parse", "main").strip()).as("main did not move").isEqualTo(mainBefore);
    }

    @Test
    void without_the_audit_log_no_secret_is_leased() throws Exception {
        var stored = server.send(HttpRequest.newBuilder(URI.create(server.url + "/api/workspaces/default/secrets/deploy-key"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"deploy-key-value-123\"}")));
        assertThat(stored.statusCode()).isIn(200, 201);
        long id;
        try (var broken = auditLogBroken()) {
            id = start("""
                    name: lease
                    steps:
                      - id: use
                        kind: command
                        run: echo "{{ secrets.deploy-key }}" > /dev/null
                    """);
            assertThat(finished(id).path("status").asText()).isEqualTo("failed");
        }
        assertThat(run(id).at("/steps/0/error").asText()).contains("audit log unavailable").contains("secret-lease");
        var leases = db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM secret_lease")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(leases).as("no lease was made").isZero();
    }
}
