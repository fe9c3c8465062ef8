package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.runners.protocol.JobJson;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped Kubernetes example against fabric8's mock API server in CRUD mode: it stores what is posted and answers reads. */
class KubernetesJobManifestTest {
    static final String NAMESPACE = "agentry";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static ManifestPool pool;

    @BeforeAll
    static void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        String host = server.getHostName();
        String source = Examples.read("kubernetes-job.yaml")
                .replaceFirst("(?m)^baseUrl: .*$", "baseUrl: http://" + host + ":" + server.getPort());
        Manifest manifest = ManifestParser.parse(source, Set.of(host));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        pool = new ManifestPool(manifest, ref -> ref.equals("kubernetes-token") ? Optional.of("sa-token-abc") : Optional.empty(), http);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.destroy();
    }

    static JobSpec spec(String jobId) {
        return new JobSpec(1, jobId, JobSpec.COMMAND, 31, "test", 1, "run-31/test/" + jobId, "default",
                new JobSpec.RepositoryCheckout("shop", "https://git.example.com/shop.git", "main", "ghp-credential"),
                "agentry/run-31", "go test ./...", Map.of("GOFLAGS", "-count=1"), null, JobSpec.Leftovers.COMMIT, null);
    }

    static Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(name).get();
    }

    static void setStatus(String name, Integer active, JobCondition... conditions) {
        Job job = job(name);
        job.setStatus(new JobStatusBuilder().withActive(active).withConditions(List.of(conditions)).build());
        client.batch().v1().jobs().inNamespace(NAMESPACE).resource(job).updateStatus();
    }

    static JobCondition condition(String type, String reason, String message) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message).build();
    }

    @Test
    void dispatch_creates_a_job_named_after_the_job_id_with_the_spec_in_its_environment() throws Exception {
        JobView view = pool.dispatch(spec("agentry-k8s-a"));
        assertThat(view.state()).isEqualTo(JobState.QUEUED);

        Job job = job("agentry-k8s-a");
        assertThat(job).isNotNull();
        assertThat(job.getMetadata().getAnnotations()).containsEntry("agentry.dev/run-id", "31").containsEntry("agentry.dev/step-id", "test");
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("ghcr.io/agentry/harness:latest");
        assertThat(container.getArgs()).containsExactly("job", "run");
        assertThat(container.getEnv()).hasSize(1);
        assertThat(container.getEnv().get(0).getName()).isEqualTo("AGENTRY_JOB");
        assertThat(JobJson.decodeSpec(container.getEnv().get(0).getValue())).isEqualTo(spec("agentry-k8s-a"));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
    }

    @Test
    void dispatching_a_job_that_exists_adopts_it() throws Exception {
        pool.dispatch(spec("agentry-k8s-b"));
        setStatus("agentry-k8s-b", 1);
        JobView again = pool.dispatch(spec("agentry-k8s-b"));
        assertThat(again.state()).isEqualTo(JobState.RUNNING);
        assertThat(again.progress()).containsEntry("inProgress", 1L);
    }

    @Test
    void poll_maps_the_job_conditions_to_states() throws Exception {
        pool.dispatch(spec("agentry-k8s-c"));
        assertThat(pool.poll("agentry-k8s-c", Duration.ZERO, 0).state()).as("no status yet").isEqualTo(JobState.QUEUED);

        setStatus("agentry-k8s-c", 1);
        assertThat(pool.poll("agentry-k8s-c", Duration.ZERO, 0).state()).as("a pod is active").isEqualTo(JobState.RUNNING);

        setStatus("agentry-k8s-c", 0, condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
        JobView done = pool.poll("agentry-k8s-c", Duration.ZERO, 0);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.error()).isNull();

        setStatus("agentry-k8s-c", 0, condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        JobView failed = pool.poll("agentry-k8s-c", Duration.ZERO, 0);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).isEqualTo(new JobView.Failure("Job has reached the specified backoff limit", "BackoffLimitExceeded", null, null));

        setStatus("agentry-k8s-c", 0, condition("Failed", "Evicted", "The node was low on resource: memory"));
        JobView evicted = pool.poll("agentry-k8s-c", Duration.ZERO, 0);
        assertThat(evicted.state()).isEqualTo(JobState.LOST);
        assertThat(evicted.error()).isEqualTo(new JobView.Failure("The node was low on resource: memory", "lost", null, null));

        setStatus("agentry-k8s-c", 0, condition("Failed", "PodFailurePolicy", "Container harness for pod agentry/x was disrupted"));
        assertThat(pool.poll("agentry-k8s-c", Duration.ZERO, 0).state()).as("disrupted by the cluster").isEqualTo(JobState.LOST);
    }

    @Test
    void a_job_deleted_behind_our_back_is_lost() throws Exception {
        pool.dispatch(spec("agentry-k8s-d"));
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName("agentry-k8s-d").delete();
        JobView view = pool.poll("agentry-k8s-d", Duration.ZERO, 0);
        assertThat(view.state()).isEqualTo(JobState.LOST);
        assertThat(view.error().cause()).isEqualTo("lost");
    }

    @Test
    void release_deletes_the_job_and_is_harmless_when_it_is_gone() throws Exception {
        pool.dispatch(spec("agentry-k8s-e"));
        assertThat(job("agentry-k8s-e")).isNotNull();
        pool.release("agentry-k8s-e");
        var delete = server.getLastRequest();
        assertThat(delete.getMethod()).isEqualTo("DELETE");
        assertThat(delete.getPath()).isEqualTo("/apis/batch/v1/namespaces/agentry/jobs/agentry-k8s-e?propagationPolicy=Background");
        assertThat(delete.getHeader("Authorization")).isEqualTo("Bearer sa-token-abc");
        assertThat(job("agentry-k8s-e")).isNull();
        pool.release("agentry-k8s-e");
    }
}
