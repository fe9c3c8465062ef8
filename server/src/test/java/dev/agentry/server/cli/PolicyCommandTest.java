package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.engine.NotFound;
import dev.agentry.policy.CelPolicyEngine;
import dev.agentry.policy.Policies;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresPolicyStore;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.http.ApiProblem;
import dev.agentry.server.http.HttpApi;
import dev.agentry.server.http.PolicyRoutes;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agentry policy ...} against the policy routes on a real server (the command is registered in Main by the
 * lead; here it runs on its own). Tests run in order of their own: each uses a workspace of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyCommandTest {
    record Result(int exitCode, String out, String err) {}

    Database db;
    Javalin app;
    String url;
    int workspaces;
    @TempDir Path dir;

    @BeforeAll
    void start() {
        db = TestDatabase.fresh();
        var store = new PostgresPolicyStore(db, Clock.systemUTC());
        var routes = new PolicyRoutes(new Policies(store, new CelPolicyEngine(store, Clock.systemUTC(), Duration.ofSeconds(2))));
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
            config.routes.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
            config.routes.exception(NotFound.class, (e, ctx) -> HttpApi.problem(ctx, ApiProblem.notFound(e.field(), e.getMessage())));
        }).start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + app.port();
    }

    @AfterAll
    void stop() {
        app.stop();
        db.close();
    }

    String workspace() {
        String name = "cli" + (++workspaces);
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO workspace (name) VALUES (?)")) {
                ps.setString(1, name);
                return ps.executeUpdate();
            }
        });
        return name;
    }

    Result policy(String workspace, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = new CommandLine(new PolicyCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(Stream.concat(Stream.of(args), Stream.of("--url", url, "-w", workspace)).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void apply_stores_a_version_and_show_lists_its_rules_in_order_then_the_default() throws Exception {
        String ws = workspace();
        String example = Path.of("../examples/policies/guardrails.yaml").toString();

        var applied = policy(ws, "apply", "-f", example);
        var again = policy(ws, "apply", "-f", example);
        var shown = policy(ws, "show");

        assertThat(applied).isEqualTo(new Result(0, "applied policy guardrails version 1\n", ""));
        assertThat(again.out()).isEqualTo("unchanged policy guardrails version 1\n");
        assertThat(shown.exitCode()).isZero();
        var lines = shown.out().lines().toList();
        assertThat(lines.get(0)).startsWith("policy guardrails version 1  (applied ");
        assertThat(lines.get(1)).startsWith("RULE").contains("DECISION").endsWith("WHEN");
        assertThat(lines.get(2)).startsWith("no-forced-recursive-deletes").contains("deny");
        assertThat(lines.get(7)).startsWith("(default)").contains("allow");
        assertThat(shown.out()).endsWith(Files.readString(Path.of(example)));
    }

    @Test
    void check_prints_the_verdict_the_rule_and_the_version_that_decided() throws Exception {
        String ws = workspace();
        policy(ws, "apply", "-f", Path.of("../examples/policies/guardrails.yaml").toString());

        var push = policy(ws, "check", "--action", "{\"kind\":\"git-push\",\"repository\":\"acme\",\"branch\":\"main\"}");
        var spend = policy(ws, "check", "--action", "{\"kind\":\"spend-call\",\"model\":\"m\",\"estimatedUsd\":0.5}", "--json");

        assertThat(push).isEqualTo(new Result(0,
                "needs-approval  (rule push-to-main, policy version 1)\n  a person approves every push that lands on main\n", ""));
        assertThat(spend.out()).contains("\"verdict\" : \"allow\"").contains("\"rule\" : \"default\"");
    }

    @Test
    void an_invalid_policy_file_is_refused_with_each_problem_and_exit_code_1() throws Exception {
        String ws = workspace();
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: p\ndefault: allow\nrules:\n  - {name: r, when: 'acton.x', decision: nope}\n");

        var refused = policy(ws, "apply", "-f", bad.toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).startsWith("agentry: The policy is not valid\n")
                .endsWith("rules[0].when: not a valid condition, at line 1, column 1: undeclared reference to 'acton'\n"
                        + "  rules[0].decision: expected allow, deny or needs-approval, got the string 'nope'\n");
        assertThat(policy(ws, "versions").out()).isEqualTo("VERSION  NAME  RULES  DEFAULT  APPLIED\n");
    }

    @Test
    void show_names_a_version_and_check_can_try_it() throws Exception {
        String ws = workspace();
        Path v1 = Files.writeString(dir.resolve("v1.json"), "{\"name\": \"p\", \"default\": \"deny\"}");
        Path v2 = Files.writeString(dir.resolve("v2.yaml"), "name: p\ndefault: needs-approval\n");
        policy(ws, "apply", "-f", v1.toString());
        policy(ws, "apply", "-f", v2.toString());
        String action = "{\"kind\":\"lease-secret\",\"name\":\"gh\",\"integration\":\"github\"}";

        assertThat(policy(ws, "show", "--version", "1").out()).startsWith("policy p version 1");
        assertThat(policy(ws, "check", "--action", action).out()).startsWith("needs-approval  (rule default, policy version 2)");
        assertThat(policy(ws, "check", "--action", action, "--version", "1").out()).startsWith("deny  (rule default, policy version 1)");
        assertThat(policy(ws, "versions").out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList()).containsExactly("2", "1");
    }

    @Test
    void a_workspace_without_a_policy_has_nothing_to_show() {
        var shown = policy(workspace(), "show");

        assertThat(shown.exitCode()).isEqualTo(1);
        assertThat(shown.err()).contains("has no policy");
    }
}
