package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.audit.AuditEntry;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresAuditLog;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.http.ApiJson;
import dev.agentry.server.http.ApiProblem;
import dev.agentry.server.http.AuditRoutes;
import dev.agentry.server.http.HttpApi;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code agentry audit} against a real server over the PostgreSQL audit log: what it prints and its exit code. */
class AuditCommandTest {
    Database db;
    PostgresAuditLog audit;
    Javalin app;
    String url;

    record Result(int exitCode, String out, String err) {}

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
        url = "http://127.0.0.1:" + app.port();
        audit.append(AuditEntry.byStep("git-push", "default", 12, "push", "repo shop branch agentry/12-x", Map.of("commit", "4f2a9c1")));
        audit.append(AuditEntry.of("policy-change", "default", "alice", "policy default/merge", Map.of()));
        audit.append(AuditEntry.of("token-create", "default", "alice", "token ci", Map.of("scope", "runs")));
    }

    @AfterEach
    void stop() {
        app.stop();
        db.close();
    }

    Result audit(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(Stream.concat(Stream.of(args), Stream.of("--url", url)).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void list_prints_the_entries_as_a_table() {
        var r = audit("list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        var lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("ID").contains("ACTION", "ACTOR", "TARGET", "DETAIL");
        assertThat(lines.get(1)).startsWith("1").contains("git-push", "run:12/push", "repo shop branch agentry/12-x", "commit=4f2a9c1");
        assertThat(lines.get(2)).contains("policy-change", "alice", "-");
        assertThat(lines).hasSize(4);
    }

    @Test
    void list_pages_with_after_and_limit_and_prints_json_when_asked() throws Exception {
        var r = audit("list", "--after", "1", "--limit", "1", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        var page = ApiJson.MAPPER.readTree(r.out());
        assertThat(page.path("items")).extracting(e -> e.path("action").asText()).containsExactly("policy-change");
        assertThat(page.path("next").asLong()).isEqualTo(2);
        assertThat(audit("list", "--after", "1", "--limit", "1").out()).contains("more: agentry audit list --after 2");
    }

    @Test
    void a_limit_out_of_range_is_refused_naming_the_option_with_exit_2() {
        var r = audit("list", "--limit", "0");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("agentry: --limit expects a number from 1 to 1000, got 0\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void verify_exits_0_when_the_chain_is_intact() {
        var r = audit("verify");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("intact: 3 entries, head " + audit.list("default", 2, 1).get(0).hash());
    }

    @Test
    void verify_exits_1_naming_the_first_broken_entry() throws Exception {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
            s.execute("DELETE FROM audit_log WHERE id = 2");
            s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
        }

        var r = audit("verify");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).startsWith("BROKEN at entry 2: entry 2 is missing");
        var json = audit("verify", "--json");
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(ApiJson.MAPPER.readTree(json.out()).path("firstBroken").asLong()).isEqualTo(2);
    }
}
