package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunsApiTest {
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
        api.apply("""
                name: greet
                inputs:
                  who: {required: true}
                  greeting: {default: hello}
                steps:
                  - id: say
                    kind: command
                    run: |
                      echo "{{ inputs.greeting }} {{ inputs.who }}"
                      echo "said={{ inputs.greeting }} {{ inputs.who }}" >> "$AGENTRY_OUTPUTS"
                  - {id: done, kind: noop, needs: [say]}
                """);
        api.apply("{name: gate, steps: [{id: ask, kind: approval}, {id: after, kind: noop, needs: [ask]}]}");
        api.apply("{name: noop, steps: [{id: a, kind: noop}]}");
    }

    @AfterAll
    void stop() {
        api.close();
    }

    private List<Long> ids(JsonNode page) {
        var ids = new ArrayList<Long>();
        page.get("items").forEach(i -> ids.add(i.get("id").asLong()));
        return ids;
    }

    @Test
    void a_started_run_resolves_its_inputs_runs_its_steps_and_keeps_their_outputs_and_logs() {
        var started = ok(api.post(WS + "/runs", "{\"pipeline\": \"greet\", \"inputs\": {\"who\": \"ana\"}}"), 201);
        long id = started.get("id").asLong();
        assertThat(started.get("pipeline").asText()).isEqualTo("greet");
        assertThat(started.get("version").asInt()).isEqualTo(1);
        assertThat(started.get("workspace").asText()).isEqualTo("default");
        assertThat(started.get("inputs").get("who").asText()).isEqualTo("ana");
        assertThat(started.get("inputs").get("greeting").asText()).as("defaults are filled in").isEqualTo("hello");
        assertThat(started.get("steps")).extracting(s -> s.get("id").asText()).containsExactlyInAnyOrder("say", "done");

        var run = api.awaitRun(id, "succeeded");
        assertThat(run.get("startedAt").asText()).isNotEmpty();
        assertThat(run.get("finishedAt").asText()).isNotEmpty();
        assertThat(api.step(id, "say").get("outputs").get("said").asText()).isEqualTo("hello ana");

        var logs = ok(api.get(WS + "/runs/" + id + "/logs"), 200).get("items");
        assertThat(logs).extracting(l -> l.get("step").asText()).containsExactlyInAnyOrder("say", "done");
        var say = ok(api.get(WS + "/runs/" + id + "/logs?step=say"), 200).get("items");
        assertThat(say).hasSize(1);
        assertThat(say.get(0).get("run").asLong()).isEqualTo(id);
        assertThat(say.get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(say.get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(say.get(0).get("log").asText()).isEqualTo("hello ana\n");

        var step = ok(api.get(WS + "/runs/" + id + "/steps/say"), 200);
        assertThat(step.get("step").get("status").asText()).isEqualTo("succeeded");
        assertThat(step.get("attempts")).hasSize(1);
        assertThat(step.get("attempts").get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(step.get("attempts").get(0).get("exitCode").asInt()).isZero();
        assertThat(step.get("attempts").get(0).get("idempotencyKey").asText()).isEqualTo(id + ":say:1");
    }

    @Test
    void inputs_that_the_pipeline_does_not_declare_or_requires_are_named_and_no_run_is_created() {
        var before = api.allRunIds();
        var p = problem(api.post(WS + "/runs", "{\"pipeline\": \"greet\", \"inputs\": {\"whom\": \"ana\"}}"), 422, "inputs.whom");
        assertThat(p.get("type").asText()).isEqualTo("urn:agentry:problem:invalid-inputs");
        assertThat(p.get("problems")).extracting(x -> x.get("field").asText()).containsExactlyInAnyOrder("inputs.whom", "inputs.who");
        assertThat(p.get("detail").asText()).contains("has no input 'whom'").contains("required input is missing");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void a_start_request_with_bad_fields_is_refused_naming_the_field_and_no_run_is_created() {
        var before = api.allRunIds();
        problem(api.post(WS + "/runs", "{}"), 400, "pipeline");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"\"}"), 400, "pipeline");
        problem(api.post(WS + "/runs", "{\"pipeline\": 5}"), 400, "pipeline");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"version\": \"1\"}"), 400, "version");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"version\": 0}"), 400, "version");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"inputs\": [\"a\"]}"), 400, "inputs");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"greet\", \"inputs\": {\"who\": {\"first\": \"ana\"}}}"), 400, "inputs.who");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"idempotencyKey\": 7}"), 400, "idempotencyKey");
        var unknown = problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"input\": {}}"), 400, "input");
        assertThat(unknown.get("detail").asText()).contains("unknown field 'input'").contains("inputs");
        problem(api.post(WS + "/runs", ""), 400, "");
        problem(api.post(WS + "/runs", "[]"), 400, "");
        var malformed = problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\",\n \"inputs\": {,}}"), 400, "");
        assertThat(malformed.get("detail").asText()).contains("not valid JSON").contains("line 2, column");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void starting_an_unknown_pipeline_or_version_is_not_found() {
        var before = api.allRunIds();
        assertThat(problem(api.post(WS + "/runs", "{\"pipeline\": \"ghost\"}"), 404, "pipeline").get("detail").asText())
                .contains("no pipeline named 'ghost'");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"version\": 42}"), 404, "version");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void an_idempotency_key_in_the_header_or_the_body_returns_the_run_it_first_created() {
        String body = "{\"pipeline\": \"noop\"}";
        var first = ok(api.postWithKey(WS + "/runs", body, "deploy-2025-03-01"), 201);
        var again = ok(api.postWithKey(WS + "/runs", body, "deploy-2025-03-01"), 200);
        assertThat(again.get("id").asLong()).isEqualTo(first.get("id").asLong());
        assertThat(again.get("idempotencyKey").asText()).isEqualTo("deploy-2025-03-01");

        var inBody = ok(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"idempotencyKey\": \"k-body\"}"), 201);
        var inBodyAgain = ok(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"idempotencyKey\": \"k-body\"}"), 200);
        assertThat(inBodyAgain.get("id").asLong()).isEqualTo(inBody.get("id").asLong());
        var viaHeader = ok(api.postWithKey(WS + "/runs", body, "k-body"), 200);
        assertThat(viaHeader.get("id").asLong()).as("header and body share one key space").isEqualTo(inBody.get("id").asLong());

        var before = api.allRunIds();
        problem(api.postWithKey(WS + "/runs", body, " "), 400, "Idempotency-Key");
        problem(api.postWithKey(WS + "/runs", body, "k".repeat(201)), 400, "Idempotency-Key");
        problem(api.post(WS + "/runs", "{\"pipeline\": \"noop\", \"idempotencyKey\": \"" + "k".repeat(201) + "\"}"), 400, "idempotencyKey");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void runs_are_listed_newest_first_filtered_and_paged_with_a_cursor() {
        api.apply("{name: paged, steps: [{id: a, kind: noop}]}");
        var started = new ArrayList<Long>();
        for (int i = 0; i < 5; i++) {
            started.add(api.start("{\"pipeline\": \"paged\"}"));
        }
        started.forEach(id -> api.awaitRun(id, "succeeded"));
        var newestFirst = started.reversed();

        var first = ok(api.get(WS + "/runs?pipeline=paged&limit=2"), 200);
        assertThat(ids(first)).isEqualTo(newestFirst.subList(0, 2));
        assertThat(first.get("next").asText()).isNotEmpty();
        var second = ok(api.get(WS + "/runs?pipeline=paged&limit=2&cursor=" + first.get("next").asText()), 200);
        assertThat(ids(second)).isEqualTo(newestFirst.subList(2, 4));
        var third = ok(api.get(WS + "/runs?pipeline=paged&limit=2&cursor=" + second.get("next").asText()), 200);
        assertThat(ids(third)).isEqualTo(newestFirst.subList(4, 5));
        assertThat(third.has("next")).as("the last page has no next cursor").isFalse();

        var exact = ok(api.get(WS + "/runs?pipeline=paged&limit=5"), 200);
        assertThat(ids(exact)).isEqualTo(newestFirst);
        assertThat(exact.has("next")).as("a full last page has no next cursor").isFalse();

        var item = first.get("items").get(0);
        assertThat(item.get("pipeline").asText()).isEqualTo("paged");
        assertThat(item.get("status").asText()).isEqualTo("succeeded");
        assertThat(ok(api.get(WS + "/runs?pipeline=paged&status=succeeded&limit=500"), 200).get("items")).hasSize(5);
        assertThat(ok(api.get(WS + "/runs?pipeline=paged&status=failed"), 200).get("items")).isEmpty();
        assertThat(ok(api.get(WS + "/runs?pipeline=nothing-by-this-name"), 200).get("items")).isEmpty();
    }

    @Test
    void bad_list_parameters_are_refused_naming_the_parameter() {
        assertThat(problem(api.get(WS + "/runs?status=done"), 400, "status").get("detail").asText())
                .contains("unknown status 'done'").contains("needs-you");
        problem(api.get(WS + "/runs?status=SUCCEEDED"), 400, "status");
        problem(api.get(WS + "/runs?limit=0"), 400, "limit");
        problem(api.get(WS + "/runs?limit=501"), 400, "limit");
        problem(api.get(WS + "/runs?limit=ten"), 400, "limit");
        problem(api.get(WS + "/runs?cursor=abc"), 400, "cursor");
    }

    @Test
    void cancel_stops_a_run_once_and_retry_brings_it_back() {
        long id = api.start("{\"pipeline\": \"gate\"}");
        api.awaitRun(id, "needs-you");
        long decision = api.step(id, "ask").get("decision").asLong();

        var canceled = ok(api.post(WS + "/runs/" + id + "/cancel", ""), 200);
        assertThat(canceled.get("status").asText()).isEqualTo("canceled");
        assertThat(canceled.get("steps")).allSatisfy(s -> assertThat(s.get("status").asText()).isEqualTo("canceled"));
        assertThat(ok(api.get(WS + "/decisions/" + decision), 200).get("status").asText()).isEqualTo("canceled");

        var again = problem(api.post(WS + "/runs/" + id + "/cancel", ""), 409, "");
        assertThat(again.get("type").asText()).isEqualTo("urn:agentry:problem:conflict");
        assertThat(again.get("detail").asText()).contains("is canceled and cannot be canceled");

        var retried = ok(api.post(WS + "/runs/" + id + "/retry", ""), 200);
        assertThat(retried.get("status").asText()).isEqualTo("needs-you");
        long newDecision = api.step(id, "ask").get("decision").asLong();
        assertThat(newDecision).as("a fresh question").isNotEqualTo(decision);
        ok(api.post(WS + "/decisions/" + newDecision + "/approve", ""), 200);
        api.awaitRun(id, "succeeded");
        assertThat(problem(api.post(WS + "/runs/" + id + "/retry", ""), 409, "").get("detail").asText())
                .contains("only failed or canceled runs can be retried");
        problem(api.post(WS + "/runs/" + id + "/cancel", ""), 409, "");
    }

    @Test
    void a_failed_run_is_retried_from_its_failed_step(@TempDir Path dir) throws Exception {
        Path fixed = dir.resolve("fixed");
        api.apply("""
                name: flaky
                steps:
                  - {id: first, kind: command, run: "echo once"}
                  - {id: check, kind: command, needs: [first], run: "test -f %s || { echo not yet; exit 3; }"}
                """.formatted(fixed));
        long id = api.start("{\"pipeline\": \"flaky\"}");
        var failed = api.awaitRun(id, "failed");
        assertThat(failed.get("error").asText()).isEqualTo("step check failed: exited with code 3");
        assertThat(ok(api.get(WS + "/runs/" + id + "/logs?step=check"), 200).get("items").get(0).get("log").asText())
                .isEqualTo("not yet\n");
        assertThat(ids(ok(api.get(WS + "/runs?status=failed&pipeline=flaky"), 200))).containsExactly(id);

        Files.createFile(fixed);
        var retried = ok(api.post(WS + "/runs/" + id + "/retry", ""), 200);
        assertThat(retried.get("id").asLong()).as("the same run, not a new one").isEqualTo(id);
        var after = api.awaitRun(id, "succeeded");
        assertThat(after.has("error")).isFalse();
        assertThat(api.step(id, "first").get("attempts").asInt()).as("succeeded steps are kept").isEqualTo(1);
        assertThat(api.step(id, "check").get("attempts").asInt()).isEqualTo(2);
        assertThat(ok(api.get(WS + "/runs/" + id + "/logs?step=check"), 200).get("items")).extracting(l -> l.get("status").asText())
                .containsExactly("failed", "succeeded");
    }

    @Test
    void rerun_from_a_step_makes_a_new_run_that_reuses_what_came_before() {
        long source = api.start("{\"pipeline\": \"greet\", \"inputs\": {\"who\": \"bo\"}}");
        api.awaitRun(source, "succeeded");

        var rerun = ok(api.post(WS + "/runs/" + source + "/rerun", "{\"from\": \"done\"}"), 201);
        long id = rerun.get("id").asLong();
        assertThat(id).isNotEqualTo(source);
        assertThat(rerun.get("rerunOf").asLong()).isEqualTo(source);
        assertThat(rerun.get("inputs").get("who").asText()).isEqualTo("bo");
        api.awaitRun(id, "succeeded");
        assertThat(api.step(id, "say").get("attempts").asInt()).as("reused, not run again").isZero();
        assertThat(api.step(id, "say").get("outputs").get("said").asText()).isEqualTo("hello bo");

        var keyed = ok(api.postWithKey(WS + "/runs/" + source + "/rerun", "{\"from\": \"say\"}", "rerun-once"), 201);
        var keyedAgain = ok(api.postWithKey(WS + "/runs/" + source + "/rerun", "{\"from\": \"say\"}", "rerun-once"), 200);
        assertThat(keyedAgain.get("id").asLong()).isEqualTo(keyed.get("id").asLong());

        var before = api.allRunIds();
        assertThat(problem(api.post(WS + "/runs/" + source + "/rerun", "{\"from\": \"nope\"}"), 404, "from").get("detail").asText())
                .contains("steps are: say, done");
        problem(api.post(WS + "/runs/" + source + "/rerun", "{}"), 400, "from");
        problem(api.post(WS + "/runs/" + source + "/rerun", "{\"from\": \"say\", \"to\": \"done\"}"), 400, "to");
        problem(api.post(WS + "/runs/999999/rerun", "{\"from\": \"say\"}"), 404, "id");
        assertThat(api.allRunIds()).isEqualTo(before);
    }

    @Test
    void unknown_runs_and_steps_are_not_found_and_malformed_ids_are_bad_requests() {
        long id = api.start("{\"pipeline\": \"noop\"}");
        assertThat(problem(api.get(WS + "/runs/999999"), 404, "id").get("detail").asText()).contains("no run 999999");
        problem(api.post(WS + "/runs/999999/cancel", ""), 404, "id");
        problem(api.post(WS + "/runs/999999/retry", ""), 404, "id");
        problem(api.get(WS + "/runs/999999/logs"), 404, "id");
        problem(api.get(WS + "/runs/999999/steps/a"), 404, "id");
        assertThat(problem(api.get(WS + "/runs/" + id + "/steps/zzz"), 404, "step").get("detail").asText())
                .contains("has no step 'zzz'");
        problem(api.get(WS + "/runs/" + id + "/logs?step=zzz"), 404, "step");

        for (String bad : List.of("abc", "0", "-1", "1.5", "99999999999999999999")) {
            assertThat(problem(api.get(WS + "/runs/" + bad), 400, "id").get("detail").asText())
                    .contains("expected a positive whole number");
        }
        problem(api.post(WS + "/runs/abc/cancel", ""), 400, "id");
        problem(api.get(WS + "/runs/abc/logs"), 400, "id");
    }
}
