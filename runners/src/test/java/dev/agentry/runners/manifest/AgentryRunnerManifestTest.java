package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool.PoolUnavailable;
import dev.agentry.runners.protocol.JobJson;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shipped agentry-runner example against a stand-in runner daemon speaking job protocol v1 (docs/job-protocol.md). */
class AgentryRunnerManifestTest {
    static final String TOKEN = "rt-0123456789abcdef";

    /** A job as the stand-in daemon holds it; tests move it along by hand. */
    static final class StubJob {
        final JobSpec spec;
        volatile JobView view;
        volatile String output = "";

        StubJob(JobSpec spec) {
            this.spec = spec;
            this.view = JobView.queued(spec.jobId());
        }
    }

    final Map<String, StubJob> jobs = new ConcurrentHashMap<>();
    volatile long holdPollsMs;
    StubServer daemon;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        daemon = StubServer.start(this::answer);
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private StubServer.Response answer(StubServer.Request r) throws Exception {
        if (!("Bearer " + TOKEN).equals(r.header("Authorization"))) {
            return StubServer.Response.problem(401, "Unauthorized", "a valid bearer token is required");
        }
        if (r.method().equals("POST") && r.path().equals("/jobs")) {
            JobSpec spec = JobJson.decodeSpec(r.body());
            StubJob existing = jobs.putIfAbsent(spec.jobId(), new StubJob(spec));
            StubJob job = jobs.get(spec.jobId());
            return existing == null
                    ? StubServer.Response.json(202, "{\"jobId\":\"" + spec.jobId() + "\",\"state\":\"queued\"}")
                    : StubServer.Response.json(200, JobJson.encode(job.view));
        }
        String id = r.path().substring("/jobs/".length());
        StubJob job = jobs.get(id);
        if (r.method().equals("DELETE")) {
            jobs.remove(id);
            return StubServer.Response.empty(204);
        }
        if (job == null) {
            return StubServer.Response.problem(404, "Not Found", "no job " + id);
        }
        Thread.sleep(Math.min(holdPollsMs, Long.parseLong(r.query().getOrDefault("waitMs", "0"))));
        int from = Integer.parseInt(r.query().getOrDefault("outputFrom", "0"));
        byte[] all = job.output.getBytes(StandardCharsets.UTF_8);
        JobView v = job.view;
        JobView.Output out = from < all.length
                ? new JobView.Output(from, all.length, new String(all, from, all.length - from, StandardCharsets.UTF_8)) : null;
        return StubServer.Response.json(200, JobJson.encode(new JobView(v.jobId(), v.state(), v.progress(), v.heartbeatAt(), v.result(), v.error(), out)));
    }

    ManifestPool pool(String token) {
        Manifest m = Examples.pointedAt("agentry-runner.yaml", daemon.baseUrl());
        return new ManifestPool(m, ref -> ref.equals("runner-token") ? Optional.of(token) : Optional.empty(), http);
    }

    static JobSpec spec(String jobId) {
        return new JobSpec(1, jobId, JobSpec.COMMAND, 12, "build", 1, "run-12/build/1", "default",
                new JobSpec.RepositoryCheckout("shop", "https://git.example.com/shop.git", "main", "ghp-repo-credential"),
                "agentry/run-12", "make test", Map.of("CI", "1"), new JobSpec.Timeouts(Duration.ofMinutes(10), null), null, null);
    }

    @Test
    void dispatch_posts_the_spec_and_answers_queued() throws Exception {
        JobView view = pool(TOKEN).dispatch(spec("agentry-run-12-build-1"));
        assertThat(view).isEqualTo(JobView.queued("agentry-run-12-build-1"));
        StubServer.Request post = daemon.last();
        assertThat(post.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(post.header("Content-Type")).isEqualTo("application/json");
        assertThat(JobJson.decodeSpec(post.body())).isEqualTo(spec("agentry-run-12-build-1"));
    }

    @Test
    void dispatching_the_same_job_again_returns_it_as_it_is() throws Exception {
        ManifestPool pool = pool(TOKEN);
        pool.dispatch(spec("agentry-a"));
        jobs.get("agentry-a").view = new JobView("agentry-a", JobState.RUNNING, Map.of("completed", 2, "total", 5), null, null, null, null);
        JobView again = pool.dispatch(spec("agentry-a"));
        assertThat(again.state()).isEqualTo(JobState.RUNNING);
        assertThat(again.progress()).isEqualTo(Map.of("completed", 2L, "total", 5L));
        assertThat(jobs).hasSize(1);
    }

    @Test
    void polls_return_output_from_the_offset_asked_and_then_the_result() throws Exception {
        ManifestPool pool = pool(TOKEN);
        pool.dispatch(spec("agentry-b"));
        StubJob job = jobs.get("agentry-b");
        Instant beat = Instant.parse("2026-11-21T10:00:00Z");
        job.view = new JobView("agentry-b", JobState.RUNNING, null, beat, null, null, null);
        job.output = "compiling\ntesting\n";

        JobView first = pool.poll("agentry-b", Duration.ZERO, 0);
        assertThat(first.state()).isEqualTo(JobState.RUNNING);
        assertThat(first.heartbeatAt()).isEqualTo(beat);
        assertThat(first.output()).isEqualTo(new JobView.Output(0, 18, "compiling\ntesting\n"));
        assertThat(daemon.last().query()).containsEntry("waitMs", "0").containsEntry("outputFrom", "0");

        JobView second = pool.poll("agentry-b", Duration.ofMillis(20), 10);
        assertThat(second.output()).isEqualTo(new JobView.Output(10, 18, "testing\n"));
        assertThat(daemon.last().query()).containsEntry("waitMs", "20").containsEntry("outputFrom", "10");

        assertThat(pool.poll("agentry-b", Duration.ZERO, 18).output()).isNull();

        job.view = new JobView("agentry-b", JobState.DONE, null, beat,
                new JobView.Result("agentry/run-12", "abc123", null, "Fix the build", List.of("src/a.c"), Map.of("inputTokens", 10),
                        Map.of("version", "1.2.3"), 0, "ok\n"), null, null);
        JobView done = pool.poll("agentry-b", Duration.ZERO, 18);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.result()).isEqualTo(new JobView.Result("agentry/run-12", "abc123", null, "Fix the build", List.of("src/a.c"),
                Map.of("inputTokens", 10), Map.of("version", "1.2.3"), 0, "ok\n"));
        assertThat(done.error()).isNull();
    }

    @Test
    void a_failed_job_reports_its_failure() throws Exception {
        ManifestPool pool = pool(TOKEN);
        pool.dispatch(spec("agentry-c"));
        jobs.get("agentry-c").view = new JobView("agentry-c", JobState.FAILED, null, null, null,
                new JobView.Failure("the process exited with 2", "exit", 2, "boom\n"), null);
        JobView failed = pool.poll("agentry-c", Duration.ZERO, 0);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).isEqualTo(new JobView.Failure("the process exited with 2", "exit", 2, "boom\n"));
    }

    @Test
    void a_long_poll_may_take_longer_than_the_operation_timeout() throws Exception {
        String source = Examples.read("agentry-runner.yaml").replaceFirst("(?m)^baseUrl: .*$", "baseUrl: " + daemon.baseUrl())
                .replace("timeoutMs: 10000", "timeoutMs: 200");
        var pool = new ManifestPool(ManifestParser.parse(source, Examples.LOOPBACK), ref -> Optional.of(TOKEN), http);
        pool.dispatch(spec("agentry-d"));
        holdPollsMs = 600;
        long start = System.nanoTime();
        JobView view = pool.poll("agentry-d", Duration.ofMillis(600), 0);
        assertThat(view.state()).isEqualTo(JobState.QUEUED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }

    @Test
    void a_wrong_token_makes_the_pool_unavailable_without_saying_the_token() {
        String wrong = "rt-wrong-token-value";
        assertThatThrownBy(() -> pool(wrong).dispatch(spec("agentry-e")))
                .isInstanceOf(PoolUnavailable.class)
                .hasMessageContaining("HTTP 401 (the pool refused the credentials)")
                .hasMessageContaining("a valid bearer token is required")
                .hasMessageNotContaining(wrong)
                .hasMessageNotContaining(TOKEN);
        assertThatThrownBy(() -> pool(wrong).poll("agentry-e", Duration.ZERO, 0))
                .isInstanceOf(PoolUnavailable.class).hasMessageNotContaining(wrong);
    }

    @Test
    void a_job_the_daemon_does_not_know_is_lost() throws Exception {
        JobView view = pool(TOKEN).poll("agentry-unknown", Duration.ZERO, 0);
        assertThat(view.state()).isEqualTo(JobState.LOST);
        assertThat(view.error().cause()).isEqualTo("lost");
        assertThat(view.error().message()).contains("HTTP 404");
    }

    @Test
    void release_deletes_the_job_and_is_harmless_for_an_unknown_one() throws Exception {
        ManifestPool pool = pool(TOKEN);
        pool.dispatch(spec("agentry-f"));
        pool.release("agentry-f");
        assertThat(daemon.last().method()).isEqualTo("DELETE");
        assertThat(daemon.last().path()).isEqualTo("/jobs/agentry-f");
        assertThat(jobs).isEmpty();
        pool.release("agentry-f");
        assertThat(pool.poll("agentry-f", Duration.ZERO, 0).state()).isEqualTo(JobState.LOST);
    }
}
