package dev.agentry.runners.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JobSpec fullSpec() {
        return new JobSpec(1, "agentry-run-12-build-1", JobSpec.COMMAND, 12, "build", 1, "run-12/build/1", "default",
                new JobSpec.RepositoryCheckout("shop", "https://git.example.com/shop.git", "main", "ghp_s3cr3t-credential"),
                "agentry/run-12", "make test\n", Map.of("B", "2", "A", "1"),
                new JobSpec.Timeouts(Duration.ofMinutes(30), Duration.ofSeconds(90)), JobSpec.Leftovers.FAIL,
                new JobSpec.Callback("https://agentry.example.com/callback/12", "cb-t0ken"));
    }

    static JobSpec minimalSpec() {
        return new JobSpec(1, "agentry-x", JobSpec.SYNC_BASE, 3, "sync", 2, "k", "default", null, null, null, null, null, null, null);
    }

    private static List<String> fields(InvalidDefinition e) {
        return e.problems().stream().map(Problem::field).toList();
    }

    private static InvalidDefinition specProblems(String json) {
        try {
            JobJson.decodeSpec(json);
        } catch (InvalidDefinition e) {
            return e;
        }
        throw new AssertionError("expected the spec to be refused: " + json);
    }

    @Test
    void a_spec_survives_the_round_trip_with_every_field_set() {
        JobSpec spec = fullSpec();
        assertThat(JobJson.decodeSpec(JobJson.encode(spec))).isEqualTo(spec);
    }

    @Test
    void a_spec_survives_the_round_trip_with_only_the_required_fields() {
        JobSpec spec = minimalSpec();
        assertThat(JobJson.decodeSpec(JobJson.encode(spec))).isEqualTo(spec);
    }

    @Test
    void the_wire_form_uses_milliseconds_lower_case_words_and_omits_nulls() throws Exception {
        JsonNode wire = JSON.readTree(JobJson.encode(fullSpec()));
        assertThat(wire.path("timeouts").path("wallMs").asLong()).isEqualTo(1_800_000);
        assertThat(wire.path("timeouts").path("noOutputMs").asLong()).isEqualTo(90_000);
        assertThat(wire.path("leftovers").asText()).isEqualTo("fail");
        assertThat(wire.path("runId").isIntegralNumber()).isTrue();

        JsonNode minimal = JSON.readTree(JobJson.encode(minimalSpec()));
        assertThat(minimal.has("repository")).isFalse();
        assertThat(minimal.has("taskBranch")).isFalse();
        assertThat(minimal.has("timeouts")).isFalse();
        assertThat(minimal.has("callback")).isFalse();
        assertThat(minimal.path("leftovers").asText()).isEqualTo("commit");
    }

    @Test
    void the_spec_carries_the_repository_credential_to_the_runner_but_its_string_form_does_not() {
        JobSpec spec = fullSpec();
        assertThat(JobJson.encode(spec)).contains("ghp_s3cr3t-credential").contains("cb-t0ken");
        assertThat(spec.toString()).doesNotContain("ghp_s3cr3t-credential").doesNotContain("cb-t0ken");
    }

    @Test
    void a_spec_missing_its_required_fields_is_refused_naming_each_of_them() {
        InvalidDefinition e = specProblems("{\"version\": 1, \"kind\": \"command\"}");
        assertThat(fields(e)).containsExactlyInAnyOrder("jobId", "runId", "stepId", "attempt", "idempotencyKey", "workspace", "run");
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.message()).startsWith("required field is missing; expected"));
    }

    @Test
    void wrongly_typed_fields_are_refused_with_what_was_expected() {
        InvalidDefinition e = specProblems("""
                {"version": 1, "jobId": "Not An Id", "kind": "shell", "runId": "12", "stepId": "s", "attempt": 0,
                 "idempotencyKey": "k", "workspace": "w", "run": "x", "env": {"PATH": 1, "9X": "y"},
                 "timeouts": {"wallMs": -1}, "leftovers": "keep", "repository": {"url": "u"}, "callback": {"url": "u", "token": 42}}
                """);
        assertThat(e.problems()).extracting(Problem::field).containsExactlyInAnyOrder("jobId", "kind", "runId", "attempt", "env.PATH", "env.9X",
                "timeouts.wallMs", "leftovers", "repository.baseBranch", "callback.token");
        assertThat(message(e, "kind")).contains("expected one of command, sync-base");
        assertThat(message(e, "runId")).contains("expected a whole number").contains("the string '12'");
        assertThat(message(e, "leftovers")).contains("expected one of commit, fail");
        assertThat(message(e, "attempt")).contains("from 1");
        assertThat(message(e, "callback.token")).isEqualTo("expected a string, got a number");
    }

    @Test
    void unknown_fields_in_a_spec_are_refused_with_the_known_ones() {
        JsonNode spec = JobJson.tree(minimalSpec()).put("priority", 5);
        InvalidDefinition e = specProblems(spec.toString());
        assertThat(fields(e)).containsExactly("priority");
        assertThat(e.problems().get(0).message()).contains("expected one of").contains("jobId").contains("timeouts");
    }

    @Test
    void another_protocol_version_is_refused_before_anything_else() {
        InvalidDefinition e = specProblems("{\"version\": 2, \"whatever\": true}");
        assertThat(e.problems()).containsExactly(new Problem("version", "unsupported job protocol version 2; this side speaks version 1"));
        assertThat(fields(specProblems("{\"jobId\": \"a\"}"))).containsExactly("version");
    }

    @Test
    void bodies_that_are_not_a_json_object_are_refused_without_quoting_them() {
        assertThat(specProblems("").problems().get(0).message()).contains("empty");
        assertThat(specProblems("[1]").problems().get(0).message()).contains("expected a job spec object, got a list");
        InvalidDefinition e = specProblems("{\"version\": 1, \"jobId\": ghp_leaky}");
        assertThat(e.getMessage()).contains("not valid JSON").contains("line 1").doesNotContain("ghp_leaky");
        assertThat(specProblems("{\"version\": 1, \"version\": 1}").getMessage()).contains("not valid JSON");
    }

    @Test
    void a_view_survives_the_round_trip_with_result_error_and_output() {
        JobView view = new JobView("agentry-x", JobState.FAILED, Map.of("completed", 3, "total", 7, "note", "tests"),
                Instant.parse("2026-11-21T09:30:00.123Z"),
                new JobView.Result("agentry/run-12", "abc123", "https://forge/pr/1", "Fix the build", List.of("a.txt", "b/c.txt"),
                        Map.of("inputTokens", 1200), Map.of("version", "1.2.3"), 0, "ok\n"),
                new JobView.Failure("exit 2", "exit", 2, "boom\n"),
                new JobView.Output(10, 25, "héllo wörld\n"));
        assertThat(JobJson.decodeView(JobJson.encode(view))).isEqualTo(view);
        JobView lost = JobView.lost("agentry-y", "gone");
        assertThat(JobJson.decodeView(JobJson.encode(lost))).isEqualTo(lost);
        JobView queued = JobView.queued("agentry-z");
        assertThat(JobJson.decodeView(JobJson.encode(queued))).isEqualTo(queued);
    }

    @Test
    void a_view_says_its_state_by_wire_name_and_instants_in_iso_8601() throws Exception {
        JobView view = new JobView("j", JobState.RUNNING, null, Instant.parse("2026-01-31T12:00:00Z"), null, null, null);
        JsonNode wire = JSON.readTree(JobJson.encode(view));
        assertThat(wire.path("state").asText()).isEqualTo("running");
        assertThat(wire.path("heartbeatAt").asText()).isEqualTo("2026-01-31T12:00:00Z");
        assertThat(wire.has("result")).isFalse();
        assertThat(wire.has("output")).isFalse();
    }

    @Test
    void a_view_tolerates_fields_it_does_not_know_but_not_wrong_ones() {
        JobView view = JobJson.decodeView("{\"jobId\": \"j\", \"state\": \"done\", \"node\": \"runner-3\"}");
        assertThat(view.state()).isEqualTo(JobState.DONE);

        InvalidDefinition e = assertThrowsInvalid("""
                {"state": "finished", "heartbeatAt": "yesterday", "output": {"from": 5, "next": 2},
                 "result": {"changedFiles": "a.txt", "exitCode": "0"}}""");
        assertThat(fields(e)).containsExactlyInAnyOrder("jobId", "state", "heartbeatAt", "output.next", "result.changedFiles", "result.exitCode");
        assertThat(message(e, "state")).contains("expected one of queued, running, done, failed, lost");
        assertThat(message(e, "heartbeatAt")).contains("ISO-8601");
    }

    private static InvalidDefinition assertThrowsInvalid(String json) {
        assertThatThrownBy(() -> JobJson.decodeView(json)).isInstanceOf(InvalidDefinition.class);
        try {
            JobJson.decodeView(json);
            throw new AssertionError();
        } catch (InvalidDefinition e) {
            return e;
        }
    }

    private static String message(InvalidDefinition e, String field) {
        return e.problems().stream().filter(p -> p.field().equals(field)).map(Problem::message).findFirst().orElseThrow();
    }
}
