package dev.agentry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import dev.agentry.core.policy.PolicyDocument;
import dev.agentry.core.policy.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyParserTest {

    /** The problems a document is refused with; fails the test if it is accepted. */
    private static List<Problem> problems(String source) {
        try {
            PolicyDocument accepted = PolicyParser.parse(source);
            throw new AssertionError("expected the policy to be refused, but it parsed into " + accepted);
        } catch (InvalidDefinition e) {
            return e.problems();
        }
    }

    /** The one problem a document is refused with. */
    private static Problem problem(String source) {
        var found = problems(source);
        assertThat(found).as("problems of%n%s", source).hasSize(1);
        return found.get(0);
    }

    /** A policy with one rule whose condition is {@code when}. */
    private static String oneRule(String when) {
        return """
                name: p
                default: allow
                rules:
                  - name: r
                    when: '%s'
                    decision: deny
                """.formatted(when.replace("'", "''"));
    }

    @Test
    void the_example_policy_parses_into_its_rules_in_the_order_written() throws Exception {
        var policy = PolicyParser.parse(Files.readString(Path.of("../examples/policies/guardrails.yaml")));

        assertThat(policy.name()).isEqualTo("guardrails");
        assertThat(policy.defaultVerdict()).isEqualTo(Verdict.ALLOW);
        assertThat(policy.rules()).extracting(PolicyDocument.Rule::name).containsExactly(
                "no-forced-recursive-deletes", "push-to-main", "merge-into-main", "expensive-call", "writes-outside-the-tree");
        assertThat(policy.rules().get(1).verdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(policy.rules().get(1).reason()).isEqualTo("a person approves every push that lands on main");
        assertThat(policy.rules().get(2).reason()).isNull();
    }

    @Test
    void json_is_accepted_as_well_as_yaml_and_a_policy_may_be_its_default_alone() {
        var policy = PolicyParser.parse("{\"name\": \"strict\", \"default\": \"needs-approval\"}");

        assertThat(policy.defaultVerdict()).isEqualTo(Verdict.NEEDS_APPROVAL);
        assertThat(policy.rules()).isEmpty();
    }

    @Test
    void a_yaml_true_is_a_condition_that_always_holds() {
        var policy = PolicyParser.parse("""
                name: p
                default: deny
                rules:
                  - {name: everything, when: true, decision: allow}
                """);

        assertThat(policy.rules().get(0).when()).isEqualTo("true");
    }

    @Test
    void a_condition_that_does_not_parse_is_reported_at_its_line_and_column() {
        var p = problem(oneRule("action.kind =="));

        assertThat(p.field()).isEqualTo("rules[0].when");
        assertThat(p.message()).startsWith("not a valid condition, at line 1, column 15: ");
    }

    @Test
    void a_condition_written_over_several_lines_reports_the_line_of_the_mistake() {
        var p = problem("""
                name: p
                default: allow
                rules:
                  - name: first
                    when: 'true'
                    decision: allow
                  - name: multi
                    when: |
                      action.kind == "git-push" &&
                        action.branch == )
                    decision: deny
                """);

        assertThat(p.field()).isEqualTo("rules[1].when");
        assertThat(p.message()).startsWith("not a valid condition, at line 2, column 20: ");
    }

    @Test
    void a_condition_that_is_not_true_or_false_is_refused_with_its_type() {
        var p = problem(oneRule("action.command + \"x\" == \"y\" ? 1 : 2"));

        assertThat(p.field()).isEqualTo("rules[0].when");
        assertThat(p.message()).isEqualTo("a condition must be true or false, but this expression gives a value of type int");
    }

    @Test
    void an_unknown_variable_is_refused_where_it_is_written() {
        var p = problem(oneRule("acton.kind == \"git-push\""));

        assertThat(p.field()).isEqualTo("rules[0].when");
        assertThat(p.message()).isEqualTo("not a valid condition, at line 1, column 1: undeclared reference to 'acton'");
    }

    @Test
    void an_attribute_no_action_has_is_refused_with_the_attributes_there_are() {
        var p = problem(oneRule("action.comand.startsWith(\"rm\")"));

        assertThat(p.field()).isEqualTo("rules[0].when");
        assertThat(p.message()).startsWith("at line 1, column 8: no action has an attribute 'comand'").contains("command, ").contains("baseBranch");
    }

    @Test
    void an_attribute_the_run_does_not_have_is_refused() {
        var p = problem(oneRule("run.agent_kind == \"coder\""));

        assertThat(p.message()).contains("run has no attribute 'agent_kind'; it has workspace, id, step, agent, pipeline");
    }

    @Test
    void comparing_the_kind_with_a_kind_that_does_not_exist_is_refused() {
        var found = problems(oneRule("action.kind == \"git_push\" || action.kind in [\"spend-call\", \"spend-everything\"]"));

        assertThat(found).extracting(Problem::message).anySatisfy(m -> assertThat(m).contains("no action is of kind 'git_push'"))
                .anySatisfy(m -> assertThat(m).contains("no action is of kind 'spend-everything'"));
        assertThat(found).hasSize(2);
    }

    @Test
    void unknown_fields_are_refused_at_the_top_and_in_rules() {
        var found = problems("""
                name: p
                default: allow
                owner: me
                rules:
                  - {name: r, when: 'true', decision: deny, effect: deny}
                """);

        assertThat(found).extracting(Problem::field).containsExactlyInAnyOrder("owner", "rules[0].effect");
        assertThat(found.get(0).message()).contains("expected one of");
    }

    @Test
    void a_decision_that_is_not_allow_deny_or_needs_approval_is_refused() {
        var p = problem("""
                name: p
                default: allow
                rules:
                  - {name: r, when: 'true', decision: block}
                """);

        assertThat(p.field()).isEqualTo("rules[0].decision");
        assertThat(p.message()).isEqualTo("expected allow, deny or needs-approval, got the string 'block'");
    }

    @Test
    void a_yaml_boolean_as_the_decision_is_refused_with_a_hint() {
        var p = problem("name: p\ndefault: yes\n");

        assertThat(p.field()).isEqualTo("default");
        assertThat(p.message()).contains("got true").contains("YAML reads yes");
    }

    @Test
    void duplicate_and_reserved_rule_names_are_refused() {
        var found = problems("""
                name: p
                default: allow
                rules:
                  - {name: r, when: 'true', decision: deny}
                  - {name: r, when: 'false', decision: deny}
                  - {name: default, when: 'false', decision: deny}
                """);

        assertThat(found).extracting(Problem::field).containsExactly("rules[1].name", "rules[2].name");
        assertThat(found.get(0).message()).isEqualTo("duplicate rule name 'r'");
        assertThat(found.get(1).message()).contains("reserved");
    }

    @Test
    void every_problem_is_reported_at_once() {
        var found = problems("""
                name: Not A Name
                rules:
                  - {when: 'nope', decision: maybe}
                """);

        assertThat(found).extracting(Problem::field).containsExactlyInAnyOrder(
                "name", "default", "rules[0].name", "rules[0].when", "rules[0].decision");
    }

    @Test
    void text_that_is_not_yaml_is_refused_with_where() {
        var p = problem("name: [unclosed\n");

        assertThat(p.field()).isEmpty();
        assertThat(p.message()).startsWith("not valid YAML or JSON: line ");
    }
}
