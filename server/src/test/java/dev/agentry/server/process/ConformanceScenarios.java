package dev.agentry.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a user does, through the public HTTP API only, against a deployment shape: the embedded one (one
 * process, its own PostgreSQL) and the cluster one (two processes on one external PostgreSQL, requests
 * spread over both). Every shape must pass every scenario.
 */
abstract class ConformanceScenarios {
    private final AtomicInteger next = new AtomicInteger();

    /** The servers of the shape; requests go to each in turn. */
    abstract List<ServerProcess> servers();

    /** A directory the servers' commands can write to. */
    abstract Path scratch();

    private ServerProcess any() {
        var all = servers();
        return all.get(Math.floorMod(next.getAndIncrement(), all.size()));
    }

    private JsonNode apply(String yaml) {
        return any().post("/pipelines", yaml, "application/yaml", 201);
    }

    private long start(String pipeline, String inputs) {
        return any().post("/runs", "{\"pipeline\": \"" + pipeline + "\", \"inputs\": " + inputs + "}", "application/json", 201)
                .path("id").asLong();
    }

    private void awaitStatus(long run, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(any().get("/runs/" + run).path("status").asText()).isEqualTo(status));
    }

    private JsonNode step(long run, String step) {
        return any().get("/runs/" + run + "/steps/" + step);
    }

    @Test
    void a_run_waits_for_a_human_and_finishes_when_approved() {
        apply("""
                name: greet
                inputs: {name: {required: true}}
                steps:
                  - {id: hello, kind: command, run: "echo \\"greeting=hello {{ inputs.name }}\\" >> $AGENTRY_OUTPUTS"}
                  - {id: review, kind: approval, needs: [hello], prompt: "Send '{{ steps.hello.outputs.greeting }}'?"}
                  - {id: send, kind: command, needs: [review], run: "echo sent {{ steps.hello.outputs.greeting }}"}
                """);
        long run = start("greet", "{\"name\": \"world\"}");
        awaitStatus(run, "needs-you");
        long decision = step(run, "review").path("step").path("decision").asLong();
        assertThat(any().get("/decisions/" + decision).path("prompt").asText()).isEqualTo("Send 'hello world'?");
        any().post("/decisions/" + decision + "/approve", "{\"comment\": \"ok\"}", "application/json", 200);
        awaitStatus(run, "succeeded");
        assertThat(any().get("/runs/" + run + "/logs?step=send").path("items").get(0).path("log").asText())
                .isEqualTo("sent hello world\n");
    }

    @Test
    void a_failed_run_is_retried_from_its_failed_step_and_succeeded_steps_do_not_run_again() throws Exception {
        Path marker = scratch().resolve("fixed-" + System.nanoTime());
        apply("""
                name: fragile
                steps:
                  - {id: prepare, kind: command, run: "echo prepared"}
                  - {id: check, kind: command, needs: [prepare], run: "test -f %s"}
                """.formatted(marker));
        long run = start("fragile", "{}");
        awaitStatus(run, "failed");
        Files.createFile(marker);
        any().post("/runs/" + run + "/retry", "", "application/json", 200);
        awaitStatus(run, "succeeded");
        assertThat(step(run, "prepare").path("attempts")).hasSize(1);
        assertThat(step(run, "check").path("attempts")).extracting(a -> a.path("status").asText())
                .containsExactly("failed", "succeeded");
    }

    @Test
    void a_canceled_run_stops_its_running_step() {
        apply("""
                name: endless
                steps:
                  - {id: wait, kind: command, run: "sleep 600"}
                """);
        long run = start("endless", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> step(run, "wait").path("step").path("status").asText().equals("running"));
        any().post("/runs/" + run + "/cancel", "", "application/json", 200);
        awaitStatus(run, "canceled");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(step(run, "wait").path("attempts"))
                .extracting(a -> a.path("status").asText()).containsExactly("canceled"));
    }

    @Test
    void a_rerun_from_a_step_reuses_what_came_before_it() {
        apply("""
                name: twostage
                steps:
                  - {id: build, kind: command, run: "echo version=$AGENTRY_RUN_ID >> $AGENTRY_OUTPUTS"}
                  - {id: ship, kind: command, needs: [build], run: "echo shipping {{ steps.build.outputs.version }}"}
                """);
        long first = start("twostage", "{}");
        awaitStatus(first, "succeeded");
        long second = any().post("/runs/" + first + "/rerun", "{\"from\": \"ship\"}", "application/json", 201).path("id").asLong();
        awaitStatus(second, "succeeded");
        assertThat(step(second, "build").path("attempts")).isEmpty();
        assertThat(any().get("/runs/" + second + "/logs?step=ship").path("items").get(0).path("log").asText())
                .isEqualTo("shipping " + first + "\n");
    }
}
