package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionsApiTest {
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
        api.apply("""
                name: release
                inputs:
                  version: {required: true}
                steps:
                  - {id: review, kind: approval, prompt: "Release {{ inputs.version }}?"}
                  - {id: ship, kind: command, needs: [review], run: "echo shipping {{ inputs.version }} as approved by {{ steps.review.outputs.by }}"}
                """);
    }

    @AfterAll
    void stop() {
        api.close();
    }

    /** Starts a release and returns the id of the decision it waits on. */
    private long waitingDecision(long run) {
        api.awaitRun(run, "needs-you");
        return api.step(run, "review").get("decision").asLong();
    }

    private long release(String version) {
        return api.start("{\"pipeline\": \"release\", \"inputs\": {\"version\": \"" + version + "\"}}");
    }

    private static List<Long> ids(JsonNode list) {
        var ids = new ArrayList<Long>();
        list.get("items").forEach(d -> ids.add(d.get("id").asLong()));
        return ids;
    }

    @Test
    void a_pending_decision_is_listed_and_approving_it_lets_the_run_finish() {
        long run = release("1.0");
        long decision = waitingDecision(run);

        var pending = ok(api.get(WS + "/decisions"), 200);
        assertThat(ids(pending)).contains(decision);
        var listed = ok(api.get(WS + "/decisions/" + decision), 200);
        assertThat(listed.get("status").asText()).isEqualTo("pending");
        assertThat(listed.get("prompt").asText()).isEqualTo("Release 1.0?");
        assertThat(listed.get("run").asLong()).isEqualTo(run);
        assertThat(listed.get("pipeline").asText()).isEqualTo("release");
        assertThat(listed.get("step").asText()).isEqualTo("review");

        var approved = ok(api.post(WS + "/decisions/" + decision + "/approve", "{\"comment\": \"ship it\", \"by\": \"ana\"}"), 200);
        assertThat(approved.get("status").asText()).isEqualTo("approved");
        assertThat(approved.get("comment").asText()).isEqualTo("ship it");
        assertThat(approved.get("answeredBy").asText()).isEqualTo("ana");
        assertThat(approved.get("answeredAt").asText()).isNotEmpty();

        api.awaitRun(run, "succeeded");
        assertThat(ok(api.get(WS + "/runs/" + run + "/logs?step=ship"), 200).get("items").get(0).get("log").asText())
                .isEqualTo("shipping 1.0 as approved by ana\n");
        assertThat(ids(ok(api.get(WS + "/decisions"), 200))).doesNotContain(decision);
        assertThat(ids(ok(api.get(WS + "/decisions?status=approved"), 200))).contains(decision);
    }

    @Test
    void rejecting_a_decision_fails_its_run_and_a_decision_is_answered_only_once() {
        long run = release("2.0");
        long decision = waitingDecision(run);

        var rejected = ok(api.post(WS + "/decisions/" + decision + "/reject", "{\"comment\": \"not on a friday\", \"by\": \"bo\"}"), 200);
        assertThat(rejected.get("status").asText()).isEqualTo("rejected");
        var failed = api.awaitRun(run, "failed");
        assertThat(failed.get("error").asText()).isEqualTo("step review failed: rejected by bo: not on a friday");
        assertThat(api.step(run, "ship").get("status").asText()).isEqualTo("skipped");

        var twice = problem(api.post(WS + "/decisions/" + decision + "/approve", ""), 409, "");
        assertThat(twice.get("detail").asText()).contains("decision " + decision + " is not pending");
        assertThat(ok(api.get(WS + "/decisions/" + decision), 200).get("status").asText()).isEqualTo("rejected");
        assertThat(api.run(run).get("status").asText()).isEqualTo("failed");
    }

    @Test
    void an_answer_may_have_no_body_at_all() {
        long decision = waitingDecision(release("3.0"));
        var approved = ok(api.post(WS + "/decisions/" + decision + "/approve", ""), 200);
        assertThat(approved.get("status").asText()).isEqualTo("approved");
        assertThat(approved.has("answeredBy")).isFalse();
    }

    @Test
    void decisions_are_filtered_by_status_and_limited() {
        long a = waitingDecision(release("4.0"));
        long b = waitingDecision(release("4.1"));
        ok(api.post(WS + "/decisions/" + b + "/reject", ""), 200);

        assertThat(ids(ok(api.get(WS + "/decisions?status=pending"), 200))).contains(a).doesNotContain(b);
        assertThat(ids(ok(api.get(WS + "/decisions?status=rejected"), 200))).contains(b).doesNotContain(a);
        var all = ids(ok(api.get(WS + "/decisions?status=all"), 200));
        assertThat(all).contains(a, b);
        assertThat(all).as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(ok(api.get(WS + "/decisions?status=all&limit=1"), 200).get("items")).hasSize(1);
    }

    @Test
    void bad_list_parameters_are_refused_naming_the_parameter() {
        assertThat(problem(api.get(WS + "/decisions?status=open"), 400, "status").get("detail").asText())
                .contains("unknown status 'open'").contains("pending");
        problem(api.get(WS + "/decisions?limit=0"), 400, "limit");
        problem(api.get(WS + "/decisions?limit=x"), 400, "limit");
    }

    @Test
    void unknown_and_malformed_decision_ids_are_refused() {
        assertThat(problem(api.get(WS + "/decisions/987654"), 404, "id").get("detail").asText()).contains("no decision 987654");
        problem(api.post(WS + "/decisions/987654/approve", ""), 404, "id");
        problem(api.post(WS + "/decisions/987654/reject", ""), 404, "id");
        problem(api.get(WS + "/decisions/first"), 400, "id");
        problem(api.post(WS + "/decisions/-3/approve", ""), 400, "id");
    }

    @Test
    void a_bad_answer_is_refused_naming_the_field_and_leaves_the_decision_pending() {
        long run = release("5.0");
        long decision = waitingDecision(run);
        String approve = WS + "/decisions/" + decision + "/approve";

        var unknown = problem(api.post(approve, "{\"coment\": \"typo\"}"), 400, "coment");
        assertThat(unknown.get("detail").asText()).contains("unknown field 'coment'").contains("comment");
        problem(api.post(approve, "{\"comment\": 42}"), 400, "comment");
        problem(api.post(approve, "{\"by\": [\"ana\"]}"), 400, "by");
        problem(api.post(approve, "{\"by\": \"" + "a".repeat(201) + "\"}"), 400, "by");
        problem(api.post(approve, "{\"comment\": \"x\""), 400, "");
        problem(api.post(approve, "\"yes\""), 400, "");

        assertThat(ok(api.get(WS + "/decisions/" + decision), 200).get("status").asText()).isEqualTo("pending");
        assertThat(api.run(run).get("status").asText()).isEqualTo("needs-you");
        ok(api.post(WS + "/decisions/" + decision + "/reject", ""), 200);
    }
}
