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
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shipped Nomad example against a stand-in speaking the calls it uses (register, allocations, purge). */
class NomadManifestTest {
    static final String TOKEN = "nomad-acl-7f3c2b1a";
    static final ObjectMapper JSON = new ObjectMapper();

    /** Registered jobs by ID, and the allocations list each answers. */
    final Map<String, JsonNode> registered = new ConcurrentHashMap<>();
    final Map<String, String> allocations = new ConcurrentHashMap<>();
    StubServer nomad;
    ManifestPool pool;

    @BeforeEach
    void start() throws Exception {
        nomad = StubServer.start(this::answer);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        pool = new ManifestPool(Examples.pointedAt("nomad.yaml", nomad.baseUrl()),
                ref -> ref.equals("nomad-token") ? Optional.of(TOKEN) : Optional.empty(), http);
    }

    @AfterEach
    void stop() {
        nomad.close();
    }

    private StubServer.Response answer(StubServer.Request r) throws Exception {
        if (!TOKEN.equals(r.header("X-Nomad-Token"))) {
            return new StubServer.Response(403, "text/plain", "Permission denied");
        }
        if (r.method().equals("POST") && r.path().equals("/v1/jobs")) {
            JsonNode job = JSON.readTree(r.body()).path("Job");
            registered.put(job.path("ID").asText(), job);
            return StubServer.Response.json(200, "{\"EvalID\":\"d092fdc0-e1fd-2536-67d8-43af8ca798ac\",\"JobModifyIndex\":109}");
        }
        if (r.method().equals("GET") && r.path().startsWith("/v1/job/") && r.path().endsWith("/allocations")) {
            String id = r.path().substring("/v1/job/".length(), r.path().length() - "/allocations".length());
            return StubServer.Response.json(200, allocations.getOrDefault(id, "[]"));
        }
        if (r.method().equals("DELETE") && r.path().startsWith("/v1/job/")) {
            String id = r.path().substring("/v1/job/".length());
            if (!"true".equals(r.query().get("purge"))) {
                return StubServer.Response.json(400, "{\"error\":\"expected purge\"}");
            }
            return registered.remove(id) == null ? new StubServer.Response(404, "text/plain", "job not found")
                    : StubServer.Response.json(200, "{\"EvalID\":\"5456bd7a-9fc0-c0dd-6131-cbee77f57577\"}");
        }
        return new StubServer.Response(404, "text/plain", "no route");
    }

    static JobSpec spec(String jobId) {
        return new JobSpec(1, jobId, JobSpec.COMMAND, 7, "lint", 1, "run-7/lint/1", "default",
                new JobSpec.RepositoryCheckout("shop", "https://git.example.com/shop.git", "main", "ghp-credential"),
                "agentry/run-7", "echo \"quoted\" && make lint", Map.of(), null, null, null);
    }

    static String allocation(String clientStatus, String events) {
        return "{\"ID\":\"a1\",\"ClientStatus\":\"" + clientStatus + "\",\"TaskStates\":{\"harness\":{\"State\":\"dead\",\"Events\":" + events + "}}}";
    }

    @Test
    void dispatch_registers_a_batch_job_running_the_harness_with_the_spec() throws Exception {
        JobView view = pool.dispatch(spec("agentry-run-7-lint-1"));
        assertThat(view.state()).isEqualTo(JobState.QUEUED);
        JsonNode job = registered.get("agentry-run-7-lint-1");
        assertThat(job.path("Type").asText()).isEqualTo("batch");
        JsonNode task = job.path("TaskGroups").get(0).path("Tasks").get(0);
        assertThat(task.path("Config").path("image").asText()).isEqualTo("ghcr.io/agentry/harness:latest");
        assertThat(JobJson.decodeSpec(task.path("Env").path("AGENTRY_JOB").asText())).isEqualTo(spec("agentry-run-7-lint-1"));
        assertThat(nomad.last().header("X-Nomad-Token")).isEqualTo(TOKEN);
        assertThat(nomad.last().header("Authorization")).isNull();
    }

    @Test
    void the_last_allocation_status_is_the_job_state() throws Exception {
        pool.dispatch(spec("agentry-n"));
        assertThat(pool.poll("agentry-n", Duration.ofSeconds(5), 0).state()).as("no allocation yet").isEqualTo(JobState.QUEUED);
        assertThat(nomad.last().rawQuery()).as("no long poll here").isNull();

        allocations.put("agentry-n", "[" + allocation("pending", "[]") + "]");
        assertThat(pool.poll("agentry-n", Duration.ZERO, 0).state()).isEqualTo(JobState.QUEUED);
        allocations.put("agentry-n", "[" + allocation("running", "[]") + "]");
        assertThat(pool.poll("agentry-n", Duration.ZERO, 0).state()).isEqualTo(JobState.RUNNING);

        allocations.put("agentry-n", "[" + allocation("complete", "[{\"Type\":\"Terminated\",\"ExitCode\":0,\"DisplayMessage\":\"Exit Code: 0\"}]") + "]");
        JobView done = pool.poll("agentry-n", Duration.ZERO, 0);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.result().exitCode()).isEqualTo(0);

        allocations.put("agentry-n", "[" + allocation("failed", "[{\"Type\":\"Started\",\"DisplayMessage\":\"Task started by client\"},"
                + "{\"Type\":\"Terminated\",\"ExitCode\":2,\"DisplayMessage\":\"Exit Code: 2\"},"
                + "{\"Type\":\"Not Restarting\",\"DisplayMessage\":\"Policy allows no restarts\"}]") + "]");
        JobView failed = pool.poll("agentry-n", Duration.ZERO, 0);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).isEqualTo(new JobView.Failure("Policy allows no restarts", "failed", 2, null));

        allocations.put("agentry-n", "[" + allocation("lost", "[]") + "]");
        JobView lost = pool.poll("agentry-n", Duration.ZERO, 0);
        assertThat(lost.state()).isEqualTo(JobState.LOST);
        assertThat(lost.error().cause()).isEqualTo("lost");
    }

    @Test
    void release_purges_the_job_and_is_harmless_when_it_is_gone() throws Exception {
        pool.dispatch(spec("agentry-p"));
        pool.release("agentry-p");
        assertThat(nomad.last().method()).isEqualTo("DELETE");
        assertThat(nomad.last().path()).isEqualTo("/v1/job/agentry-p");
        assertThat(nomad.last().query()).containsEntry("purge", "true");
        assertThat(registered).isEmpty();
        pool.release("agentry-p");
    }

    @Test
    void a_token_nomad_refuses_makes_the_pool_unavailable() {
        var refused = new ManifestPool(pool.manifest(), ref -> Optional.of("not-the-token"), HttpClient.newHttpClient());
        assertThatThrownBy(() -> refused.dispatch(spec("agentry-q")))
                .isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("HTTP 403 (the pool refused the credentials)")
                .hasMessageContaining("Permission denied")
                .hasMessageNotContaining("not-the-token");
    }
}
