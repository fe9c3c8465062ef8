package dev.agentry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineParserTest {

    /** The problems a definition is refused with; fails the test if it is accepted. */
    private static List<Problem> problems(String source) {
        try {
            PipelineDefinition accepted = PipelineParser.parse(source);
            throw new AssertionError("expected the definition to be refused, but it parsed into " + accepted);
        } catch (InvalidDefinition e) {
            return e.problems();
        }
    }

    /** The one problem a definition is refused with. */
    private static Problem problem(String source) {
        var found = problems(source);
        assertThat(found).as("problems of%n%s", source).hasSize(1);
        return found.get(0);
    }

    private static List<String> ids(PipelineDefinition d) {
        return d.steps().stream().map(StepDefinition::id).toList();
    }

    // ---- what a valid definition becomes ---------------------------------------------------------

    @Test
    void yaml_booleans_where_a_name_is_expected_are_refused_with_a_hint_to_quote_them() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(InvalidDefinition.class, () -> PipelineParser.parse("""
                name: p
                steps:
                  - {id: yes, kind: noop}
                  - {id: b, kind: noop, needs: [on]}
                """));
        assertThat(e.problems()).extracting(Problem::field).contains("steps[0].id", "steps[1].needs[0]");
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.message()).contains("quote it"));
    }

    @Test
    void the_hello_example_parses_into_its_steps_in_order_with_every_setting() throws Exception {
        var d = PipelineParser.parse(Files.readString(Path.of("../examples/hello.yaml")));

        assertThat(d.name()).isEqualTo("hello");
        assertThat(d.description()).isEqualTo("Greets someone, asks a human, then publishes.");
        assertThat(d.concurrency()).isZero();
        assertThat(d.inputs()).containsOnlyKeys("name");
        assertThat(d.inputs().get("name")).isEqualTo(new InputSpec("name", true, null, "Who to greet"));
        assertThat(ids(d)).containsExactly("greet", "review", "publish");

        var greet = d.requireStep("greet");
        assertThat(greet.needs()).isEmpty();
        assertThat(greet.when()).isEqualTo(RunCondition.SUCCESS);
        assertThat(greet.retry()).isEqualTo(RetryPolicy.NONE);
        assertThat(greet.timeout()).isNull();
        assertThat(greet.action()).isInstanceOfSatisfying(StepAction.Command.class,
                c -> assertThat(c.run()).startsWith("echo \"hello {{ inputs.name }}\"\n").contains(">> \"$AGENTRY_OUTPUTS\""));

        var review = d.requireStep("review");
        assertThat(review.needs()).containsExactly("greet");
        assertThat(review.action()).isEqualTo(new StepAction.Approval(
                "Publish '{{ steps.greet.outputs.greeting }}'?", Duration.ofHours(24), false));

        var publish = d.requireStep("publish");
        assertThat(publish.needs()).containsExactly("review");
        assertThat(publish.retry()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofMinutes(5)));
        assertThat(publish.timeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void every_shipped_example_is_a_valid_definition() throws Exception {
        try (var files = Files.list(Path.of("../examples"))) {
            var examples = files.filter(f -> f.toString().matches(".*\\.(ya?ml|json)")).sorted().toList();
            assertThat(examples).isNotEmpty();
            for (Path example : examples) {
                try {
                    assertThat(PipelineParser.parse(Files.readString(example)).steps()).isNotEmpty();
                } catch (InvalidDefinition e) {
                    throw new AssertionError(example + " is not valid: " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void steps_listed_out_of_order_come_back_after_everything_they_need() {
        var d = PipelineParser.parse("""
                name: diamond
                steps:
                  - {id: report, kind: noop, needs: [left, right]}
                  - {id: left, kind: noop, needs: [start]}
                  - {id: right, kind: noop, needs: start}
                  - {id: start, kind: noop}
                """);
        var order = ids(d);
        assertThat(order).containsExactlyInAnyOrder("start", "left", "right", "report");
        assertThat(order.get(0)).isEqualTo("start");
        assertThat(order.get(3)).isEqualTo("report");
        assertThat(d.requireStep("right").needs()).as("a single need may be written without a list").containsExactly("start");
    }

    @Test
    void a_json_definition_means_the_same_as_its_yaml() {
        var yaml = PipelineParser.parse("""
                name: same
                inputs:
                  who: {default: world}
                concurrency: 2
                steps:
                  - {id: a, kind: command, run: "echo {{ inputs.who }}", env: {LEVEL: 3}, retry: {max_attempts: 2}}
                  - {id: b, kind: sleep, duration: 1h30m, needs: [a], when: always}
                """);
        var json = PipelineParser.parse("""
                {
                  "name": "same",
                  "inputs": {"who": {"default": "world"}},
                  "concurrency": 2,
                  "steps": [
                    {"id": "a", "kind": "command", "run": "echo {{ inputs.who }}", "env": {"LEVEL": "3"}, "retry": {"max_attempts": 2}},
                    {"id": "b", "kind": "sleep", "duration": "1h30m", "needs": ["a"], "when": "always"}
                  ]
                }
                """);
        assertThat(json).isEqualTo(yaml);
        assertThat(json.concurrency()).isEqualTo(2);
        assertThat(json.requireStep("b").action()).isEqualTo(new StepAction.Sleep(Duration.ofMinutes(90)));
        assertThat(json.requireStep("b").when()).isEqualTo(RunCondition.ALWAYS);
        assertThat(json.requireStep("a").action()).isInstanceOfSatisfying(StepAction.Command.class,
                c -> assertThat(c.env()).containsEntry("LEVEL", "3"));
    }

    @Test
    void an_approval_without_a_prompt_asks_about_its_step() {
        var d = PipelineParser.parse("{name: p, steps: [{id: ship, kind: approval, deadline: 2d, on_deadline: approve}]}");
        assertThat(d.requireStep("ship").action())
                .isEqualTo(new StepAction.Approval("Approve step 'ship'?", Duration.ofDays(2), true));
    }

    // ---- the graph -------------------------------------------------------------------------------

    @Test
    void a_cycle_is_refused_and_its_path_is_named() {
        var p = problem("""
                name: loop
                steps:
                  - {id: start, kind: noop}
                  - {id: a, kind: noop, needs: [start, c]}
                  - {id: b, kind: noop, needs: [a]}
                  - {id: c, kind: noop, needs: [b]}
                """);
        assertThat(p.field()).isEqualTo("steps");
        assertThat(p.message()).contains("cycle").contains("a -> c -> b -> a");
    }

    @Test
    void a_step_that_needs_itself_is_a_cycle() {
        var p = problem("{name: self, steps: [{id: a, kind: noop, needs: [a]}]}");
        assertThat(p.field()).isEqualTo("steps");
        assertThat(p.message()).contains("a -> a");
    }

    @Test
    void an_unknown_need_is_reported_where_it_is_written_with_the_steps_that_exist() {
        var p = problem("""
                name: typo
                steps:
                  - {id: build, kind: noop}
                  - {id: test, kind: noop, needs: [build, buld]}
                """);
        assertThat(p.field()).isEqualTo("steps[1].needs[1]");
        assertThat(p.message()).contains("unknown step 'buld'").contains("build");
    }

    @Test
    void needing_a_step_that_has_problems_of_its_own_reports_only_those_problems() {
        var found = problems("""
                name: broken
                steps:
                  - {id: build, kind: compile}
                  - {id: test, kind: noop, needs: [build]}
                """);
        assertThat(found).extracting(Problem::field).containsExactly("steps[0].kind");
        assertThat(found.get(0).message()).contains("unknown kind 'compile'").contains("command, agent, approval, sleep, noop");
    }

    @Test
    void a_duplicate_step_id_is_refused_at_the_second_occurrence() {
        var p = problem("""
                name: twice
                steps:
                  - {id: a, kind: noop}
                  - {id: b, kind: noop}
                  - {id: a, kind: noop}
                """);
        assertThat(p.field()).isEqualTo("steps[2].id");
        assertThat(p.message()).contains("duplicate step id 'a'");
    }

    @Test
    void an_unknown_kind_lists_the_kinds_there_are() {
        var p = problem("{name: k, steps: [{id: a, kind: shell, run: ls}]}");
        assertThat(p.field()).isEqualTo("steps[0].kind");
        assertThat(p.message()).contains("unknown kind 'shell'").contains("command, agent, approval, sleep, noop, open-pr, gate, merge");
    }

    @Test
    void an_unknown_condition_lists_the_conditions_there_are() {
        var p = problem("{name: w, steps: [{id: a, kind: noop, when: sometimes}]}");
        assertThat(p.field()).isEqualTo("steps[0].when");
        assertThat(p.message()).contains("'sometimes'").contains("success, failure or always");
    }

    @Test
    void more_than_five_hundred_steps_are_refused() {
        var sb = new StringBuilder("name: huge\nsteps:\n");
        for (int i = 0; i < 501; i++) {
            sb.append("  - {id: s").append(i).append(", kind: noop}\n");
        }
        var p = problem(sb.toString());
        assertThat(p.field()).isEqualTo("steps");
        assertThat(p.message()).contains("at most 500");
    }

    // ---- durations -------------------------------------------------------------------------------

    @Test
    void every_duration_field_refuses_what_is_not_a_duration() {
        var found = problems("""
                name: durations
                steps:
                  - {id: a, kind: command, run: "true", timeout: 10 minutes}
                  - {id: b, kind: approval, deadline: tomorrow}
                  - {id: c, kind: sleep, duration: 1.5h}
                  - {id: d, kind: noop, retry: {backoff: fast}}
                  - {id: e, kind: noop, retry: {max_backoff: -1s}}
                  - {id: f, kind: noop, timeout: 30}
                """);
        assertThat(found).extracting(Problem::field).containsExactly(
                "steps[0].timeout", "steps[1].deadline", "steps[2].duration",
                "steps[3].retry.backoff", "steps[4].retry.max_backoff", "steps[5].timeout");
        assertThat(found.get(0).message()).contains("'10 minutes' is not a duration").contains("30s");
        assertThat(found.get(2).message()).contains("'1.5h'");
        assertThat(found.get(5).message()).as("a bare number has no unit").contains("'30' is not a duration");
    }

    @Test
    void a_zero_duration_is_refused() {
        var p = problem("{name: z, steps: [{id: a, kind: sleep, duration: 0s}]}");
        assertThat(p.field()).isEqualTo("steps[0].duration");
        assertThat(p.message()).contains("positive");
    }

    @Test
    void a_duration_too_long_to_wait_for_is_refused() {
        var p = problem("{name: forever, steps: [{id: a, kind: sleep, duration: 100000000000000d}]}");
        assertThat(p.field()).isEqualTo("steps[0].duration");
        var q = problem("{name: forever, steps: [{id: a, kind: approval, deadline: 99999999d}]}");
        assertThat(q.field()).isEqualTo("steps[0].deadline");
        assertThat(q.message()).contains("at most");
    }

    @Test
    void a_maximum_backoff_shorter_than_the_backoff_is_refused() {
        var p = problem("{name: b, steps: [{id: a, kind: noop, retry: {backoff: 10s, max_backoff: 1s}}]}");
        assertThat(p.field()).isEqualTo("steps[0].retry.max_backoff");
        assertThat(p.message()).contains("shorter than backoff (10s)");
    }

    // ---- templates -------------------------------------------------------------------------------

    @Test
    void a_template_naming_an_unknown_step_is_refused() {
        var p = problem("""
                name: t
                steps:
                  - {id: build, kind: noop}
                  - {id: ship, kind: command, needs: [build], run: "echo {{ steps.biuld.outputs.v }}"}
                """);
        assertThat(p.field()).isEqualTo("steps[1].run");
        assertThat(p.message()).contains("unknown step 'biuld'");
    }

    @Test
    void a_template_naming_an_undeclared_input_lists_the_declared_ones() {
        var p = problem("""
                name: t
                inputs: {who: {}, when: {default: now}}
                steps:
                  - {id: hi, kind: command, run: "echo {{ inputs.whom }}"}
                """);
        assertThat(p.field()).isEqualTo("steps[0].run");
        assertThat(p.message()).contains("undeclared input 'whom'").contains("who, when");
    }

    @Test
    void a_template_may_only_use_outputs_of_steps_that_surely_finished_before() {
        var found = problems("""
                name: t
                steps:
                  - {id: a, kind: noop}
                  - {id: b, kind: noop, needs: [a]}
                  - {id: side, kind: noop}
                  - id: c
                    kind: command
                    needs: [b]
                    run: "echo {{ steps.a.outputs.x }} {{ steps.side.outputs.y }}"
                """);
        assertThat(found).as("a is an ancestor through b, side is not").hasSize(1);
        assertThat(found.get(0).field()).isEqualTo("steps[3].run");
        assertThat(found.get(0).message()).contains("step 'side'").contains("not among this step's needs");
    }

    @Test
    void templates_are_checked_in_prompts_and_environment_values_too() {
        var found = problems("""
                name: t
                steps:
                  - {id: ask, kind: approval, prompt: "Ship {{ inputs.version }}?"}
                  - {id: go, kind: command, needs: [ask], run: "true", env: {WHO: "{{ run.owner }}"}}
                """);
        assertThat(found).extracting(Problem::field).containsExactly("steps[0].prompt", "steps[1].env.WHO");
        assertThat(found.get(0).message()).contains("undeclared input 'version'").contains("declare it under inputs");
        assertThat(found.get(1).message()).contains("'{{ run.owner }}' is not a reference").contains("run.id, run.pipeline or secrets.NAME");
    }

    @Test
    void a_secret_may_reach_a_commands_run_or_a_whole_env_value_but_nothing_else() {
        var parsed = PipelineParser.parse("""
                name: t
                steps:
                  - id: go
                    kind: command
                    run: deploy --token "{{ secrets.deploy }}"
                    env:
                      TOKEN: "{{ secrets.deploy }}"
                """);
        assertThat(parsed.steps()).hasSize(1);
        var found = problems("""
                name: t
                steps:
                  - {id: go, kind: command, run: "true", env: {AUTH: "Bearer {{ secrets.deploy }}"}}
                  - {id: ask, kind: approval, prompt: "Use {{ secrets.deploy }}?"}
                """);
        assertThat(found).extracting(Problem::field).containsExactly("steps[0].env.AUTH", "steps[1].prompt");
        assertThat(found.get(1).message()).contains("a secret reaches only a command");
    }

    // ---- shape: missing, mistyped and unknown fields ---------------------------------------------

    @Test
    void missing_required_fields_are_named() {
        var found = problems("""
                description: nothing else
                """);
        assertThat(found).extracting(Problem::field).containsExactly("name", "steps");
        assertThat(found).allSatisfy(p -> assertThat(p.message()).contains("required field is missing"));

        var steps = problems("""
                name: m
                steps:
                  - {kind: noop}
                  - {id: b}
                  - {id: c, kind: command}
                  - {id: d, kind: sleep}
                """);
        assertThat(steps).extracting(Problem::field)
                .containsExactly("steps[0].id", "steps[1].kind", "steps[2].run", "steps[3].duration");
        assertThat(steps).allSatisfy(p -> assertThat(p.message()).contains("required field is missing"));
    }

    @Test
    void an_empty_step_list_is_refused() {
        var p = problem("{name: e, steps: []}");
        assertThat(p.field()).isEqualTo("steps");
        assertThat(p.message()).contains("at least one step");
    }

    @Test
    void values_of_the_wrong_type_are_named_with_what_was_expected_and_what_came() {
        assertThat(problem("{name: w, steps: 5}")).isEqualTo(new Problem("steps", "expected a list of steps, got the number 5"));

        var needs = problem("{name: w, steps: [{id: a, kind: noop}, {id: b, kind: noop, needs: {a: 1}}]}");
        assertThat(needs.field()).isEqualTo("steps[1].needs");
        assertThat(needs.message()).contains("expected a list of step ids, got an object");

        var need = problem("{name: w, steps: [{id: a, kind: noop}, {id: b, kind: noop, needs: [a, 7]}]}");
        assertThat(need.field()).isEqualTo("steps[1].needs[1]");
        assertThat(need.message()).contains("expected a step id, got the number 7");

        var attempts = problem("{name: w, steps: [{id: a, kind: noop, retry: {max_attempts: \"x\"}}]}");
        assertThat(attempts.field()).isEqualTo("steps[0].retry.max_attempts");
        assertThat(attempts.message()).contains("expected a whole number from 1 to 100, got the string 'x'");

        var many = problem("{name: w, concurrency: 2.5, steps: [{id: a, kind: noop}]}");
        assertThat(many.field()).isEqualTo("concurrency");
        assertThat(many.message()).contains("whole number");

        var step = problem("{name: w, steps: [build]}");
        assertThat(step.field()).isEqualTo("steps[0]");
        assertThat(step.message()).contains("expected a step object").contains("the string 'build'");

        var inputs = problem("{name: w, inputs: [who], steps: [{id: a, kind: noop}]}");
        assertThat(inputs.field()).isEqualTo("inputs");
        assertThat(inputs.message()).contains("got a list");

        var required = problem("{name: w, inputs: {who: {required: yes please}}, steps: [{id: a, kind: noop}]}");
        assertThat(required.field()).isEqualTo("inputs.who.required");
        assertThat(required.message()).contains("expected true or false");

        var env = problem("{name: w, steps: [{id: a, kind: command, run: 'true', env: {A: [1]}}]}");
        assertThat(env.field()).isEqualTo("steps[0].env.A");
        assertThat(env.message()).contains("expected a string, got a list");

        var name = problem("{name: {first: x}, steps: [{id: a, kind: noop}]}");
        assertThat(name.field()).isEqualTo("name");
        assertThat(name.message()).contains("expected a string, got an object");
    }

    @Test
    void a_misspelt_field_is_refused_rather_than_ignored() {
        var p = problem("""
                name: typo
                steps:
                  - {id: a, kind: noop}
                  - {id: b, kind: noop, neds: [a]}
                """);
        assertThat(p.field()).isEqualTo("steps[1].neds");
        assertThat(p.message()).contains("unknown field 'neds'").contains("needs");

        assertThat(problems("{name: t, stpes: [], steps: [{id: a, kind: noop, retry: {attempts: 2}}], inputs: {x: {defualt: 1}}}"))
                .extracting(Problem::field)
                .containsExactlyInAnyOrder("stpes", "inputs.x.defualt", "steps[0].retry.attempts");
    }

    @Test
    void a_field_of_another_kind_of_step_is_refused() {
        var p = problem("{name: k, steps: [{id: a, kind: approval, run: 'make deploy'}]}");
        assertThat(p.field()).isEqualTo("steps[0].run");
        assertThat(p.message()).contains("'run' does not apply to approval steps");

        assertThat(problems("""
                name: k
                steps:
                  - {id: a, kind: command, run: "true", prompt: "sure?"}
                  - {id: b, kind: noop, duration: 1s}
                  - {id: c, kind: sleep, duration: 1s, env: {A: b}}
                """)).extracting(Problem::field).containsExactly("steps[0].prompt", "steps[1].duration", "steps[2].env");
    }

    @Test
    void a_deadline_outcome_needs_a_deadline_and_is_approve_or_reject() {
        var found = problems("""
                name: d
                steps:
                  - {id: a, kind: approval, on_deadline: approve}
                  - {id: b, kind: approval, deadline: 1h, on_deadline: maybe}
                """);
        assertThat(found).extracting(Problem::field).containsExactly("steps[0].on_deadline", "steps[1].on_deadline");
        assertThat(found.get(0).message()).contains("only applies with a deadline");
        assertThat(found.get(1).message()).contains("expected approve or reject, got 'maybe'");
    }

    @Test
    void names_ids_and_environment_variables_must_be_well_formed() {
        assertThat(problems("""
                name: My Pipeline
                inputs: {"9lives": {}}
                steps:
                  - {id: "a b", kind: noop}
                  - {id: c, kind: command, run: "true", env: {AGENTRY_RUN_ID: x, "BAD-NAME": y}}
                """)).extracting(Problem::field).containsExactly(
                "name", "inputs.9lives", "steps[0].id", "steps[1].env.AGENTRY_RUN_ID", "steps[1].env.BAD-NAME");
    }

    // ---- documents that are not definitions at all -----------------------------------------------

    @Test
    void malformed_yaml_is_refused_with_its_line_and_column() {
        var p = problem("""
                name: broken
                steps:
                  - id: a
                   kind: noop
                """);
        assertThat(p.field()).isEmpty();
        assertThat(p.message()).startsWith("not valid YAML or JSON: line 4, column ");
    }

    @Test
    void malformed_json_is_refused_with_its_line_and_column() {
        var p = problem("""
                {
                  "name": "broken",
                  "steps": [{"id": "a" "kind": "noop"}]
                }
                """);
        assertThat(p.field()).isEmpty();
        assertThat(p.message()).startsWith("not valid YAML or JSON: line 3, column ").contains("expected ',' or '}'");

        var unclosed = problem("{\"name\": \"broken\",\n \"steps\": [\n");
        assertThat(unclosed.field()).isEmpty();
        assertThat(unclosed.message()).startsWith("not valid YAML or JSON: line ").contains("<stream end>");
    }

    @Test
    void a_key_written_twice_is_refused() {
        var p = problem("name: one\nname: two\nsteps: [{id: a, kind: noop}]\n");
        assertThat(p.field()).isEmpty();
        assertThat(p.message()).contains("line 2").contains("Duplicate field 'name'");
    }

    @Test
    void an_empty_document_is_refused_as_empty() {
        for (String empty : List.of("", "  \n\n", "# just a comment\n", "---\n")) {
            var p = problem(empty);
            assertThat(p.field()).isEmpty();
            assertThat(p.message()).as("for %s", empty.isBlank() ? "a blank document" : empty).contains("empty");
        }
        assertThatThrownBy(() -> PipelineParser.parse(null)).isInstanceOf(InvalidDefinition.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> PipelineParser.parse("name: a\u0000b\nsteps: [{id: a, kind: noop}]"))
                .isInstanceOf(InvalidDefinition.class).hasMessageContaining("NUL character");
    }

    @Test
    void a_document_that_is_not_an_object_is_refused() {
        var p = problem("- name: a\n- name: b\n");
        assertThat(p.field()).isEmpty();
        assertThat(p.message()).contains("expected an object with name and steps, got a list");
    }

    @Test
    void every_problem_is_reported_at_once() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(InvalidDefinition.class, () -> PipelineParser.parse("""
                name: Bad_Name
                concurrency: -1
                steps:
                  - {id: a, kind: command}
                  - {id: b, kind: sleep, duration: soon, needs: [a, z]}
                  - {id: c, kind: noop, retry: {max_attempts: 0}}
                """));
        assertThat(e.problems()).extracting(Problem::field).containsExactlyInAnyOrder(
                "name", "concurrency", "steps[0].run", "steps[1].duration", "steps[1].needs[1]", "steps[2].retry.max_attempts");
        assertThat(e.getMessage()).startsWith("6 problems: ").contains("steps[1].needs[1]: unknown step 'z'");
    }

    // ---- run inputs against the declaration ------------------------------------------------------

    @Test
    void run_inputs_get_their_defaults_and_undeclared_or_missing_ones_are_named() {
        var d = PipelineParser.parse("""
                name: in
                inputs:
                  who: {required: true}
                  greeting: {default: hello}
                  note: {}
                steps: [{id: a, kind: noop}]
                """);
        assertThat(d.resolveInputs(java.util.Map.of("who", "ana")))
                .isEqualTo(java.util.Map.of("who", "ana", "greeting", "hello"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputs.class,
                () -> d.resolveInputs(java.util.Map.of("whom", "ana")));
        assertThat(e.problems()).extracting(Problem::field).containsExactlyInAnyOrder("inputs.whom", "inputs.who");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("has no input 'whom'").contains("who, greeting, note"));
    }

    // ---- repository work: pools, pull requests, gates ------------------------------------------

    @Test
    void a_pull_request_pipeline_places_its_jobs_and_points_gates_and_merges_at_its_only_opener() {
        var d = PipelineParser.parse("""
                name: ship
                repository: shop
                steps:
                  - {id: code, kind: command, run: make, labels: [gpu], no_output_timeout: 2m, uncommitted: fail}
                  - {id: open, kind: open-pr, needs: [code], title: "Ship {{ steps.code.outputs.summary }}"}
                  - id: ci
                    kind: gate
                    gate: ci
                    needs: [open]
                    fixer: {run: ./fix.sh, pool: big}
                  - {id: sync, kind: gate, gate: conflicts, needs: [ci], resolver: {run: ./resolve.sh}}
                  - {id: land, kind: merge, needs: [sync], method: squash}
                """);
        assertThat(d.repository()).isEqualTo("shop");
        assertThat(d.needsRepository()).isTrue();
        var code = (StepAction.Command) d.requireStep("code").action();
        assertThat(code.placement()).isEqualTo(new StepAction.Placement(null, List.of("gpu")));
        assertThat(code.noOutputTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(code.commitLeftovers()).isFalse();
        var ci = (StepAction.Gate) d.requireStep("ci").action();
        assertThat(ci.check()).isEqualTo(StepAction.GateCheck.CI);
        assertThat(ci.pullRequest()).isEqualTo("open");
        assertThat(ci.maxFixes()).as("a fixer gets three tries unless told").isEqualTo(3);
        assertThat(ci.fix().placement().pool()).isEqualTo("big");
        assertThat(((StepAction.Merge) d.requireStep("land").action()).method()).isEqualTo(dev.agentry.core.forge.MergeMethod.SQUASH);
        assertThat(((StepAction.Merge) d.requireStep("land").action()).pullRequest()).isEqualTo("open");
    }

    @Test
    void gates_and_merges_are_refused_without_an_opener_they_need_and_their_fields_are_checked() {
        assertThat(problem("{name: m, steps: [{id: land, kind: merge}]}").message()).contains("add an open-pr step");
        var notNeeded = problem("""
                name: m
                steps:
                  - {id: open, kind: open-pr}
                  - {id: land, kind: merge}
                """);
        assertThat(notNeeded.field()).isEqualTo("steps[1].needs");
        assertThat(notNeeded.message()).contains("must need 'open'");
        var found = problems("""
                name: g
                steps:
                  - {id: open, kind: open-pr}
                  - {id: a, kind: gate, gate: lint, needs: [open]}
                  - {id: b, kind: gate, gate: conflicts, needs: [open], fixer: {run: x}}
                  - {id: c, kind: merge, needs: [open], method: octopus}
                  - {id: d, kind: command, run: x, pool: A, labels: [x]}
                  - {id: e, kind: command, run: x, uncommitted: keep}
                """);
        assertThat(found).extracting(Problem::field).contains("steps[1].gate", "steps[2].fixer", "steps[3].method",
                "steps[4].pool", "steps[5].uncommitted");
        assertThat(found).anySatisfy(p -> assertThat(p.message()).contains("expected ci or conflicts"));
        assertThat(found).anySatisfy(p -> assertThat(p.message()).contains("expected merge, squash or rebase"));
    }
}
