package dev.agentry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.testing.MutableClock;
import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.Verdict;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CelPolicyEngineTest {
    static final String WS = "default";
    static final Action.Context RUN = new Action.Context(WS, 7, "push", null, "release");

    final FakePolicyStore store = new FakePolicyStore();
    final MutableClock clock = new MutableClock();
    final CelPolicyEngine engine = new CelPolicyEngine(store, clock, Duration.ofSeconds(2));
    final Policies policies = new Policies(store, engine);

    static Action push(String branch, String base) {
        return new Action.GitPush(RUN, "acme", branch, base);
    }

    static Action command(String command) {
        return new Action.RunCommand(RUN, command, "/work/tree");
    }

    static Action call(String usd) {
        return new Action.SpendCall(RUN, "claude-x", new BigDecimal(usd));
    }

    void applyExample() throws Exception {
        policies.apply(WS, Files.readString(Path.of("../examples/policies/guardrails.yaml")));
    }

    @Test
    void a_workspace_without_a_policy_allows_everything_as_version_0() {
        var decision = engine.decide(WS, command("rm -rf /"));

        assertThat(decision).isEqualTo(PolicyDecision.noPolicy());
        assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(decision.rule()).isEqualTo("no-policy");
        assertThat(decision.policyVersion()).isZero();
    }

    @Test
    void a_push_to_main_needs_approval_while_a_push_to_a_feature_branch_is_allowed() throws Exception {
        applyExample();

        var toMain = engine.decide(WS, push("main", null));
        var intoMain = engine.decide(WS, push("fix-login", "main"));
        var feature = engine.decide(WS, push("fix-login", "develop"));

        assertThat(toMain.verdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(toMain.rule()).isEqualTo("push-to-main");
        assertThat(toMain.reason()).isEqualTo("a person approves every push that lands on main");
        assertThat(intoMain.verdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(feature.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(feature.rule()).isEqualTo("default");
        assertThat(feature.reason()).isEqualTo("no rule matched; the policy's default is allow");
    }

    @Test
    void a_forced_recursive_delete_is_denied_and_other_commands_are_allowed() throws Exception {
        applyExample();

        var rm = engine.decide(WS, command("cd build && rm -rf ."));
        var ls = engine.decide(WS, command("ls -la"));

        assertThat(rm.verdict()).isEqualTo(Verdict.DENY);
        assertThat(rm.rule()).isEqualTo("no-forced-recursive-deletes");
        assertThat(ls.verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void a_call_estimated_over_5_dollars_needs_approval_and_one_at_5_does_not() throws Exception {
        applyExample();

        assertThat(engine.decide(WS, call("5.01")).verdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(engine.decide(WS, call("5.00")).verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(engine.decide(WS, call("0.02")).verdict()).isEqualTo(Verdict.ALLOW);
    }

    @Test
    void the_first_matching_rule_decides_even_when_a_later_one_also_matches() {
        policies.apply(WS, """
                name: order
                default: deny
                rules:
                  - {name: allow-ls, when: 'action.kind == "run-command" && action.command.startsWith("ls")', decision: allow}
                  - {name: all-commands, when: 'action.kind == "run-command"', decision: needs-approval}
                """);

        assertThat(engine.decide(WS, command("ls")).rule()).isEqualTo("allow-ls");
        assertThat(engine.decide(WS, command("make")).rule()).isEqualTo("all-commands");
        assertThat(engine.decide(WS, call("1")).rule()).isEqualTo("default");
        assertThat(engine.decide(WS, call("1")).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void a_rule_that_cannot_be_evaluated_does_not_match_and_the_default_says_why() {
        policies.apply(WS, """
                name: careless
                default: needs-approval
                rules:
                  - {name: no-rm, when: 'action.command.contains("rm")', decision: deny}
                  - {name: cheap, when: 'action.kind == "spend-call" && action.estimatedUsd < 1', decision: allow}
                """);

        var push = engine.decide(WS, push("main", null)); // a push has no command
        var cheap = engine.decide(WS, call("0.5"));

        assertThat(push.verdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(push.rule()).isEqualTo("default");
        assertThat(push.reason()).contains("rule 'no-rm' could not be evaluated").contains("command");
        assertThat(cheap.rule()).isEqualTo("cheap"); // a later rule still decides
    }

    @Test
    void conditions_see_the_run_and_a_missing_agent_is_null() {
        policies.apply(WS, """
                name: agents
                default: allow
                rules:
                  - {name: coder-pushes, when: 'run.agent == "coder" && action.kind == "git-push"', decision: needs-approval}
                  - {name: plain-steps, when: 'run.agent == null && run.pipeline == "release" && run.id == 7', decision: deny}
                """);
        var byCoder = new Action.GitPush(new Action.Context(WS, 7, "code", "coder", "release"), "acme", "x", "main");

        assertThat(engine.decide(WS, byCoder).rule()).isEqualTo("coder-pushes");
        assertThat(engine.decide(WS, push("x", "main")).rule()).isEqualTo("plain-steps");
    }

    @Test
    void decisions_record_the_version_that_made_them() {
        String v1 = "name: p\ndefault: allow\n";
        String v2 = "name: p\ndefault: deny\n";
        policies.apply(WS, v1);
        var first = engine.decide(WS, command("make"));
        policies.apply(WS, v2);
        var second = engine.decide(WS, command("make"));
        policies.apply(WS, v2); // unchanged: no new version

        assertThat(first.policyVersion()).isEqualTo(1);
        assertThat(first.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(second.policyVersion()).isEqualTo(2);
        assertThat(second.verdict()).isEqualTo(Verdict.DENY);
        assertThat(engine.decide(WS, command("make")).policyVersion()).isEqualTo(2);
        assertThat(policies.decide(WS, command("make"), 1)).isEqualTo(first);
    }

    @Test
    void a_version_applied_on_another_node_is_in_force_after_the_recheck_interval() {
        policies.apply(WS, "name: p\ndefault: allow\n");
        assertThat(engine.decide(WS, command("make")).policyVersion()).isEqualTo(1);
        store.apply(WS, "name: p\ndefault: deny\n", "other"); // straight to the store, as another node would
        int checks = store.latestChecks.get();

        clock.advance(Duration.ofMillis(1_999));
        assertThat(engine.decide(WS, command("make")).policyVersion()).isEqualTo(1);
        assertThat(store.latestChecks.get()).isEqualTo(checks);

        clock.advance(Duration.ofMillis(1));
        var decision = engine.decide(WS, command("make"));
        assertThat(decision.policyVersion()).isEqualTo(2);
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void a_version_is_compiled_once_and_reused_for_every_decision() {
        policies.apply(WS, "name: p\ndefault: allow\n");
        var first = engine.latest(WS);
        clock.advance(Duration.ofSeconds(10)); // a recheck that finds the same version keeps the compiled policy

        assertThat(engine.latest(WS)).isSameAs(first);
        assertThat(engine.compiled(store.latest(WS).orElseThrow())).isSameAs(first);
    }
    @Test
    void rules_about_other_kinds_are_skipped_without_changing_which_rule_decides() {
        policies.apply(WS, """
                name: narrowed
                default: allow
                rules:
                  - {name: exact, when: 'action.kind == "run-command" && action.command == "x"', decision: deny}
                  - {name: push-command, when: 'action.kind == "git-push" && action.command.startsWith("x")', decision: deny}
                  - {name: everything, when: 'run.id == 7', decision: needs-approval}
                  - {name: all-commands, when: 'action.kind == "run-command"', decision: allow}
                """);

        assertThat(engine.decide(WS, command("x")).rule()).isEqualTo("exact");
        assertThat(engine.decide(WS, command("y")).rule()).isEqualTo("everything");
        var outside = new Action.RunCommand(Action.Context.outsideRun(WS), "y", null);
        assertThat(engine.decide(WS, outside).rule()).isEqualTo("all-commands");
        var push = engine.decide(WS, new Action.GitPush(Action.Context.outsideRun(WS), "acme", "b", null));
        assertThat(push.rule()).isEqualTo("default");
        assertThat(push.reason()).contains("rule 'push-command' could not be evaluated"); // tried: it is about pushes
        assertThat(engine.decide(WS, new Action.SpendRun(Action.Context.outsideRun(WS), BigDecimal.ONE)).reason())
                .isEqualTo("no rule matched; the policy's default is allow"); // not tried, as evaluating it would be false
    }
    @Test
    void while_the_store_cannot_be_reached_decisions_go_on_by_the_version_loaded_and_it_is_asked_again_after_an_interval() {
        var failing = new FakePolicyStore() {
            volatile boolean down;

            @Override
            public synchronized int latestVersion(String workspace) {
                if (down) {
                    latestChecks.incrementAndGet();
                    throw new IllegalStateException("database unreachable");
                }
                return super.latestVersion(workspace);
            }
        };
        var engine = new CelPolicyEngine(failing, clock, Duration.ofSeconds(2));
        new Policies(failing, engine).apply(WS, "name: p\ndefault: deny\n");
        failing.down = true;
        clock.advance(Duration.ofSeconds(3));
        int before = failing.latestChecks.get();

        var first = engine.decide(WS, command("make"));
        var second = engine.decide(WS, command("make"));

        assertThat(first.policyVersion()).isEqualTo(1);
        assertThat(second.verdict()).isEqualTo(Verdict.DENY);
        assertThat(failing.latestChecks.get() - before).as("one failed check, then none until the interval passes").isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        engine.decide(WS, command("make"));
        assertThat(failing.latestChecks.get() - before).isEqualTo(2);
    }
}
