package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool.PoolUnavailable;
import dev.agentry.runners.protocol.JobJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the adapter does with a scheduler's answers, against a stand-in whose answers each test sets. */
class ManifestPoolTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API_TOKEN = "api-secret-789";
    static final String REPO_CREDENTIAL = "ghp-repo-secret-123";
    static final String CALLBACK_TOKEN = "cb-secret-456";

    StubServer stub;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();

    @BeforeEach
    void start() throws Exception {
        stub = StubServer.start(r -> StubServer.Response.json(200, "{\"eval\": {\"id\": \"ev-1\"}, \"status\": \"waiting\"}"));
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    static String manifest(String baseUrl) {
        return """
                providerId: sched
                label: Stub scheduler
                baseUrl: %s
                auth: {bearer: {secretRef: api-token}}
                maxResponseBytes: 2048
                operations:
                  dispatch:
                    method: POST
                    pathTemplate: /jobs
                    headers: [{name: X-Run, value: "{{input.runId}}"}]
                    bodyTemplate: '{"name": "{{input.jobId}}", "branch": "{{input.taskBranch}}", "spec": {{{input.job}}}, "specText": "{{input.job}}"}'
                    extract: {evalId: $.eval.id}
                    timeoutMs: 500
                  poll:
                    method: GET
                    pathTemplate: "/jobs/{{input.jobId}}/evals/{{dispatch.evalId}}"
                    query: [{name: eval, value: "{{dispatch.evalId}}"}]
                    timeoutMs: 500
                  release:
                    method: DELETE
                    pathTemplate: "/jobs/{{input.jobId}}/evals/{{dispatch.evalId}}"
                response:
                  statusPath: $.status
                  statusMap: {waiting: queued, busy: running, ok: done, error: failed, gone: lost, Evicted: lost}
                  defaultStatus: queued
                  reasonPath: $.reason
                  progress: {completedPath: $.done, inProgressPath: $.active, totalPath: $.total}
                  summaryPath: $.summary
                  errorPath: $.why
                  errorCausePath: $.cause
                """.formatted(baseUrl);
    }

    ManifestPool pool() {
        return new ManifestPool(ManifestParser.parse(manifest(stub.baseUrl()), Examples.LOOPBACK),
                ref -> ref.equals("api-token") ? Optional.of(API_TOKEN) : Optional.empty(), http);
    }

    static JobSpec spec(String jobId, String taskBranch) {
        return new JobSpec(1, jobId, JobSpec.COMMAND, 12, "build", 1, "run-12/build/1", "default",
                new JobSpec.RepositoryCheckout("shop", "https://git.example.com/shop.git", "main", REPO_CREDENTIAL),
                taskBranch, "make", Map.of(), null, null, new JobSpec.Callback("https://agentry.example.com/cb", CALLBACK_TOKEN));
    }

    void answer(int status, String body) {
        stub.handler(r -> StubServer.Response.json(status, body));
    }

    @Test
    void values_are_escaped_for_the_place_they_are_inserted() throws Exception {
        answer(201, "{\"eval\": {\"id\": \"ev 1/2?\"}}");
        ManifestPool pool = pool();
        JobSpec spec = spec("agentry-a", "feat/\"quoted\" \\ branch\n");
        pool.dispatch(spec);

        StubServer.Request post = stub.last();
        assertThat(post.header("X-Run")).isEqualTo("12");
        JsonNode body = JSON.readTree(post.body());
        assertThat(body.path("name").asText()).isEqualTo("agentry-a");
        assertThat(body.path("branch").asText()).isEqualTo("feat/\"quoted\" \\ branch\n");
        assertThat(JobJson.decodeSpec(body.path("spec"))).isEqualTo(spec);
        assertThat(JobJson.decodeSpec(body.path("specText").asText())).isEqualTo(spec);

        answer(200, "{\"status\": \"busy\"}");
        pool.poll("agentry-a", Duration.ZERO, 0);
        assertThat(stub.last().rawPath()).isEqualTo("/jobs/agentry-a/evals/ev%201%2F2%3F");
        assertThat(stub.last().rawQuery()).isEqualTo("eval=ev%201%2F2%3F");
        assertThat(stub.last().query()).containsEntry("eval", "ev 1/2?");
    }

    @Test
    void the_answer_is_mapped_to_a_state_with_reasons_that_mean_lost_winning() throws Exception {
        ManifestPool pool = pool();
        pool.dispatch(spec("agentry-b", null));
        Map<String, JobState> cases = Map.of(
                "{\"status\": \"busy\"}", JobState.RUNNING,
                "{\"status\": \"unheard-of\", \"active\": 2}", JobState.RUNNING,
                "{\"status\": \"unheard-of\", \"active\": 0}", JobState.QUEUED,
                "{}", JobState.QUEUED,
                "{\"status\": \"ok\"}", JobState.DONE,
                "{\"status\": \"error\"}", JobState.FAILED,
                "{\"status\": \"error\", \"reason\": \"Evicted\"}", JobState.LOST,
                "{\"status\": \"gone\"}", JobState.LOST);
        for (var c : cases.entrySet()) {
            answer(200, c.getKey());
            assertThat(pool.poll("agentry-b", Duration.ZERO, 0).state()).as(c.getKey()).isEqualTo(c.getValue());
        }
        answer(200, "{\"status\": \"busy\", \"done\": 3, \"active\": 1, \"total\": 9}");
        assertThat(pool.poll("agentry-b", Duration.ZERO, 0).progress()).isEqualTo(Map.of("completed", 3L, "inProgress", 1L, "total", 9L));
        answer(200, "{\"status\": \"ok\", \"summary\": \"Built it\"}");
        assertThat(pool.poll("agentry-b", Duration.ZERO, 0).result().summary()).isEqualTo("Built it");
        answer(200, "{\"status\": \"error\", \"why\": \"out of disk\", \"cause\": \"disk\"}");
        assertThat(pool.poll("agentry-b", Duration.ZERO, 0).error()).isEqualTo(new JobView.Failure("out of disk", "disk", null, null));
        answer(200, "{\"status\": \"error\", \"reason\": \"Evicted\"}");
        assertThat(pool.poll("agentry-b", Duration.ZERO, 0).error()).isEqualTo(new JobView.Failure("the scheduler reports Evicted", "lost", null, null));
    }

    @Test
    void after_a_restart_a_job_whose_dispatch_values_are_gone_is_lost_and_not_released() throws Exception {
        pool().dispatch(spec("agentry-c", null));
        int requests = stub.requests().size();
        ManifestPool restarted = pool();
        JobView view = restarted.poll("agentry-c", Duration.ZERO, 0);
        assertThat(view.state()).isEqualTo(JobState.LOST);
        assertThat(view.error().message()).contains("no longer knows what the dispatch of job agentry-c answered (evalId)");
        restarted.release("agentry-c");
        assertThat(stub.requests()).hasSize(requests);
    }

    @Test
    void a_dispatch_answer_without_an_extracted_value_makes_the_pool_unavailable() {
        answer(201, "{\"status\": \"waiting\"}");
        assertThatThrownBy(() -> pool().dispatch(spec("agentry-d", null))).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("without a value at $['eval']['id'] (operations.dispatch.extract.evalId)");
    }

    @Test
    void a_job_the_scheduler_refuses_fails_with_its_problem_detail() throws Exception {
        stub.handler(r -> StubServer.Response.problem(422, "Unprocessable", "image ghcr.io/x not allowed"));
        JobView view = pool().dispatch(spec("agentry-e", null));
        assertThat(view.state()).isEqualTo(JobState.FAILED);
        assertThat(view.error()).isEqualTo(new JobView.Failure("pool sched refused the job (HTTP 422): image ghcr.io/x not allowed", "refused", null, null));
    }

    @Test
    void a_job_that_exists_already_is_adopted() throws Exception {
        ManifestPool pool = pool();
        pool.dispatch(spec("agentry-f", null));
        stub.handler(r -> r.method().equals("POST") ? StubServer.Response.problem(409, "Conflict", "exists")
                : StubServer.Response.json(200, "{\"status\": \"busy\"}"));
        assertThat(pool.dispatch(spec("agentry-f", null)).state()).isEqualTo(JobState.RUNNING);
        assertThat(stub.last().method()).isEqualTo("GET");
    }

    @Test
    void server_errors_timeouts_oversized_and_unreadable_answers_make_the_pool_unavailable() throws Exception {
        ManifestPool pool = pool();
        pool.dispatch(spec("agentry-g", null));

        stub.handler(r -> StubServer.Response.problem(503, "Unavailable", "draining"));
        assertThatThrownBy(() -> pool.poll("agentry-g", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                .hasMessage("pool sched answered HTTP 503 to the poll of job agentry-g: draining");

        stub.handler(r -> StubServer.Response.json(200, "{\"status\": \"busy\", \"pad\": \"" + "x".repeat(3000) + "\"}"));
        assertThatThrownBy(() -> pool.poll("agentry-g", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("with more than 2048 bytes (maxResponseBytes)");

        stub.handler(r -> new StubServer.Response(200, "text/html", "<html>login</html>"));
        assertThatThrownBy(() -> pool.poll("agentry-g", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("with something that is not JSON (text/html)");

        stub.handler(r -> {
            Thread.sleep(1500);
            return StubServer.Response.json(200, "{}");
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.poll("agentry-g", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("no answer to the poll of job agentry-g within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1400));
    }

    @Test
    void a_pool_that_cannot_be_reached_is_unavailable() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        var pool = new ManifestPool(ManifestParser.parse(manifest("http://127.0.0.1:" + closedPort), Examples.LOOPBACK),
                ref -> Optional.of(API_TOKEN), http);
        assertThatThrownBy(() -> pool.dispatch(spec("agentry-h", null))).isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("pool sched could not be reached at 127.0.0.1 for the dispatch of job agentry-h: ConnectException");
    }

    @Test
    void without_a_long_poll_in_the_manifest_a_poll_returns_promptly() throws Exception {
        ManifestPool pool = pool();
        pool.dispatch(spec("agentry-i", null));
        long start = System.nanoTime();
        pool.poll("agentry-i", Duration.ofSeconds(10), 0);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(stub.last().query()).doesNotContainKey("waitMs");
    }

    @Test
    void no_secret_reaches_an_exception_a_failure_or_a_log_line_even_when_the_scheduler_echoes_them() throws Exception {
        // A scheduler that puts the request (headers and body) in its error answers.
        StubServer.Handler echo = r -> {
            String text = "Authorization was " + r.header("Authorization") + "; body was " + r.body();
            return new StubServer.Response(r.method().equals("POST") ? 400 : 500, "application/problem+json",
                    JSON.createObjectNode().put("title", "Bad").put("detail", text).toString());
        };
        PrintStream err = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            stub.handler(echo);
            ManifestPool pool = pool();
            JobView refused = pool.dispatch(spec("agentry-j", null));
            assertThat(refused.state()).isEqualTo(JobState.FAILED);
            assertThat(refused.error().message()).contains("Authorization was (redacted)")
                    .doesNotContain(API_TOKEN).doesNotContain(REPO_CREDENTIAL).doesNotContain(CALLBACK_TOKEN);

            stub.handler(r -> StubServer.Response.json(201, "{\"eval\": {\"id\": \"e\"}}"));
            pool.dispatch(spec("agentry-j", null));
            stub.handler(echo);
            assertThatThrownBy(() -> pool.poll("agentry-j", Duration.ZERO, 0)).isInstanceOf(PoolUnavailable.class)
                    .hasMessageContaining("Authorization was (redacted)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(API_TOKEN));
            assertThatThrownBy(() -> pool.release("agentry-j")).isInstanceOf(PoolUnavailable.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(API_TOKEN));
        } finally {
            System.setErr(err);
        }
        String logged = captured.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("pool sched: refused job agentry-j (HTTP 400)");
        assertThat(logged).doesNotContain(API_TOKEN).doesNotContain(REPO_CREDENTIAL).doesNotContain(CALLBACK_TOKEN);
    }
}
