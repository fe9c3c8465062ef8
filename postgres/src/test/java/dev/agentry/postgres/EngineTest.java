package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.pipeline.InvalidInputs;
import dev.agentry.core.run.RunConflict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {
    @TempDir Path work;
    EngineHarness h;

    @BeforeEach
    void start() {
        h = new EngineHarness(work);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void awaitStatus(long run, String status) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(h.status(run)).isEqualTo(status));
    }

    @Test
    void a_chain_of_noop_steps_runs_to_success_in_order() {
        long run = h.start("""
                name: chain
                steps:
                  - {id: a, kind: noop}
                  - {id: b, kind: noop, needs: [a]}
                  - {id: c, kind: noop, needs: [b]}
                """, Map.of());
        awaitStatus(run, "succeeded");
        var steps = h.run(run).steps();
        assertThat(steps).allSatisfy(s -> assertThat(s.status()).isEqualTo("succeeded"));
        var a = h.step(run, "a");
        var c = h.step(run, "c");
        assertThat(c.startedAt()).isAfterOrEqualTo(a.finishedAt());
    }

    @Test
    void runs_of_many_parallel_steps_finish_when_their_steps_complete_in_concurrent_transactions() {
        var wide = new StringBuilder("{name: wide, steps: [");
        for (int i = 0; i < 30; i++) {
            wide.append(i == 0 ? "" : ", ").append("{id: s").append(i).append(", kind: noop}");
        }
        var runs = new java.util.ArrayList<Long>();
        for (int i = 0; i < 10; i++) {
            runs.add(h.start(wide + "]}", Map.of()));
        }
        // Completions of one run's steps land on both completer threads at once; the second to lock the run
        // must see the first one's steps as finished, or the run never finishes.
        runs.forEach(run -> awaitStatus(run, "succeeded"));
    }

    @Test
    void command_outputs_flow_into_later_steps_and_inputs_cannot_inject_shell() throws Exception {
        Path proof = work.resolve("injected");
        long run = h.start("""
                name: outputs
                inputs:
                  name: {required: true}
                steps:
                  - id: build
                    kind: command
                    run: |
                      echo "version=1.2.3" >> "$AGENTRY_OUTPUTS"
                      echo "greeting=hello {{ inputs.name }}" >> "$AGENTRY_OUTPUTS"
                  - id: publish
                    kind: command
                    needs: [build]
                    run: echo "publishing {{ steps.build.outputs.version }} for {{ inputs.name }} as $AGENTRY_RUN_ID/$AGENTRY_STEP_ID/$AGENTRY_ATTEMPT"
                """, Map.of("name", "x\"; touch " + proof + "; echo \"$(touch " + proof + ")"));
        awaitStatus(run, "succeeded");
        assertThat(h.step(run, "build").outputs()).containsEntry("version", "1.2.3");
        var log = h.queries.logs("default", run, "publish").get(0).log();
        assertThat(log).contains("publishing 1.2.3 for x\"; touch").contains("as " + run + "/publish/1");
        assertThat(proof).doesNotExist();
    }

    @Test
    void a_failing_step_is_retried_with_backoff_and_a_new_idempotency_key() throws Exception {
        Path counter = work.resolve("count");
        long run = h.start("""
                name: flaky
                steps:
                  - id: flaky
                    kind: command
                    retry: {max_attempts: 3, backoff: 100ms}
                    run: |
                      echo "$AGENTRY_IDEMPOTENCY_KEY" >> %s
                      [ "$(wc -l < %s)" -ge 3 ]
                """.formatted(counter, counter), Map.of());
        awaitStatus(run, "succeeded");
        var attempts = h.queries.attempts("default", run, "flaky");
        assertThat(attempts).extracting(a -> a.status()).containsExactly("failed", "failed", "succeeded");
        assertThat(attempts).extracting(a -> a.exitCode()).containsExactly(1, 1, 0);
        assertThat(Files.readAllLines(counter)).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void a_failed_run_runs_its_failure_handler_and_retry_resumes_from_the_failed_step() throws Exception {
        Path marker = work.resolve("fixed");
        Path setupCount = work.resolve("setup");
        long run = h.start("""
                name: fix-me
                steps:
                  - {id: setup, kind: command, run: "echo x >> %s"}
                  - {id: check, kind: command, needs: [setup], run: "test -f %s"}
                  - {id: notify, kind: noop, needs: [check], when: failure}
                  - {id: after, kind: noop, needs: [check]}
                """.formatted(setupCount, marker), Map.of());
        awaitStatus(run, "failed");
        assertThat(h.step(run, "notify").status()).isEqualTo("succeeded");
        assertThat(h.step(run, "after").status()).isEqualTo("skipped");
        assertThat(h.run(run).error()).contains("step check failed: exited with code 1");

        Files.createFile(marker);
        h.engine.retry("default", run);
        awaitStatus(run, "succeeded");
        assertThat(h.step(run, "check").attempts()).isEqualTo(2);
        assertThat(Files.readAllLines(setupCount)).hasSize(1);
        assertThatThrownBy(() -> h.engine.retry("default", run)).isInstanceOf(RunConflict.class);
    }

    @Test
    void an_approval_waits_for_a_human_and_rejecting_fails_the_run() {
        String yaml = """
                name: gated
                inputs:
                  who: {default: world}
                steps:
                  - {id: review, kind: approval, prompt: "Ship it to {{ inputs.who }}?"}
                  - {id: ship, kind: noop, needs: [review]}
                """;
        long approved = h.start(yaml, Map.of());
        long rejected = h.start(yaml, Map.of());
        awaitStatus(approved, "needs-you");
        awaitStatus(rejected, "needs-you");
        var pending = h.queries.decisions("default", "pending", 10);
        assertThat(pending).hasSize(2).allSatisfy(d -> assertThat(d.prompt()).isEqualTo("Ship it to world?"));

        long first = h.step(approved, "review").decision();
        h.engine.answer("default", approved, first, true, "looks good", "ana");
        awaitStatus(approved, "succeeded");
        assertThat(h.step(approved, "review").outputs()).containsEntry("comment", "looks good").containsEntry("by", "ana");

        long second = h.step(rejected, "review").decision();
        h.engine.answer("default", rejected, second, false, "not today", "bo");
        awaitStatus(rejected, "failed");
        assertThat(h.step(rejected, "ship").status()).isEqualTo("skipped");
        assertThat(h.queries.decision("default", second).orElseThrow().status()).isEqualTo("rejected");
        assertThatThrownBy(() -> h.engine.answer("default", rejected, second, true, null, "bo")).isInstanceOf(RunConflict.class);
    }

    @Test
    void an_approval_deadline_applies_its_default_outcome() {
        long run = h.start("""
                name: deadline
                steps:
                  - {id: review, kind: approval, deadline: 300ms, on_deadline: approve}
                  - {id: ship, kind: noop, needs: [review]}
                """, Map.of());
        awaitStatus(run, "succeeded");
        long decision = h.step(run, "review").decision();
        assertThat(h.queries.decision("default", decision).orElseThrow().status()).isEqualTo("expired");
    }

    @Test
    void a_sleep_is_a_durable_timer() {
        long run = h.start("""
                name: nap
                steps:
                  - {id: nap, kind: sleep, duration: 700ms}
                """, Map.of());
        assertThat(h.status(run)).isEqualTo("running");
        awaitStatus(run, "succeeded");
        var nap = h.step(run, "nap");
        assertThat(Duration.between(nap.startedAt(), nap.finishedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    @Test
    void cancel_stops_a_running_command_and_its_children() throws Exception {
        Path pidFile = work.resolve("pid");
        long run = h.start("""
                name: long
                steps:
                  - {id: wait, kind: command, run: "sleep 300 & echo $! > %s; wait"}
                  - {id: never, kind: noop, needs: [wait]}
                """.formatted(pidFile), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long child = Long.parseLong(Files.readString(pidFile).trim());
        h.engine.cancel("default", run);
        assertThat(h.status(run)).isEqualTo("canceled");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
        assertThat(h.step(run, "never").status()).isEqualTo("canceled");
        assertThat(h.queries.attempts("default", run, "wait")).extracting(a -> a.status()).containsExactly("canceled");
        assertThatThrownBy(() -> h.engine.cancel("default", run)).isInstanceOf(RunConflict.class);
    }

    @Test
    void a_step_that_runs_too_long_is_killed_at_its_timeout() {
        long run = h.start("""
                name: slow
                steps:
                  - {id: slow, kind: command, run: "sleep 30", timeout: 300ms}
                """, Map.of());
        awaitStatus(run, "failed");
        assertThat(h.step(run, "slow").error()).isEqualTo("timed out after 300ms");
    }

    @Test
    void rerun_from_a_step_reuses_the_outputs_before_it() throws Exception {
        Path count = work.resolve("builds");
        long first = h.start("""
                name: rerun
                steps:
                  - {id: build, kind: command, run: "echo x >> %s; echo v=7 > $AGENTRY_OUTPUTS"}
                  - {id: deploy, kind: command, needs: [build], run: "echo deploying {{ steps.build.outputs.v }}"}
                """.formatted(count), Map.of());
        awaitStatus(first, "succeeded");
        long second = h.engine.rerunFrom("default", first, "deploy", null).runId();
        awaitStatus(second, "succeeded");
        assertThat(Files.readAllLines(count)).hasSize(1);
        assertThat(h.run(second).rerunOf()).isEqualTo(first);
        assertThat(h.queries.logs("default", second, "deploy").get(0).log()).contains("deploying 7");
        assertThatThrownBy(() -> h.engine.rerunFrom("default", first, "nope", null))
                .isInstanceOf(NotFound.class).hasMessageContaining("steps are: build, deploy");
    }

    @Test
    void an_idempotency_key_returns_the_existing_run() {
        h.engine.apply("default", "{name: once, steps: [{id: a, kind: noop}]}", null);
        var first = h.engine.start("default", "once", null, Map.of(), "key-1");
        var again = h.engine.start("default", "once", null, Map.of(), "key-1");
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.runId()).isEqualTo(first.runId());
    }

    @Test
    void a_concurrency_limit_queues_runs_until_a_slot_frees() {
        h.engine.apply("default", """
                name: serial
                concurrency: 1
                steps:
                  - {id: gate, kind: approval}
                """, null);
        long a = h.engine.start("default", "serial", null, Map.of(), null).runId();
        long b = h.engine.start("default", "serial", null, Map.of(), null).runId();
        awaitStatus(a, "needs-you");
        assertThat(h.status(b)).isEqualTo("queued");
        h.engine.answer("default", a, h.step(a, "gate").decision(), true, null, null);
        awaitStatus(a, "succeeded");
        awaitStatus(b, "needs-you");
    }

    @Test
    void an_attempt_whose_node_vanished_is_retried_with_the_same_idempotency_key() {
        // Stop our node from claiming, claim as a node that then "dies", and let a new node take over.
        h.node.stop(Duration.ZERO);
        h.engine.apply("default", "{name: lost, steps: [{id: a, kind: command, run: 'true'}]}", null);
        long run = h.engine.start("default", "lost", null, Map.of(), null).runId();
        var now = java.time.Instant.now();
        var claims = h.runs.claim("ghost", EngineHarness.LOCAL, 10, now, now.plusMillis(300));
        assertThat(claims).hasSize(1);
        try (var rescuer = new EngineHarness(work, h.db, "node-b")) {
            awaitStatus(run, "succeeded");
            var attempts = h.queries.attempts("default", run, "a");
            assertThat(attempts).extracting(x -> x.status()).containsExactly("expired", "succeeded");
            assertThat(attempts).extracting(x -> x.node()).containsExactly("ghost", "node-b");
            assertThat(attempts.get(0).idempotencyKey()).isEqualTo(attempts.get(1).idempotencyKey());
        }
    }

    @Test
    void reusing_an_idempotency_key_for_a_different_request_is_a_conflict() {
        h.engine.apply("default", "{name: keyed, inputs: {n: {default: '1'}}, steps: [{id: a, kind: noop}]}", null);
        h.engine.start("default", "keyed", null, Map.of("n", "1"), "key-2");
        assertThatThrownBy(() -> h.engine.start("default", "keyed", null, Map.of("n", "2"), "key-2"))
                .isInstanceOf(RunConflict.class).hasMessageContaining("different pipeline or inputs");
    }

    @Test
    void rerun_waits_for_the_source_run_to_finish() {
        long run = h.start("{name: held, steps: [{id: gate, kind: approval}]}", Map.of());
        awaitStatus(run, "needs-you");
        assertThatThrownBy(() -> h.engine.rerunFrom("default", run, "gate", null))
                .isInstanceOf(RunConflict.class).hasMessageContaining("needs-you");
    }

    @Test
    void a_node_that_stops_hands_its_running_steps_back_without_spending_their_retries() throws Exception {
        Path started = work.resolve("started");
        Path release = work.resolve("release");
        long run = h.start("""
                name: handover
                steps:
                  - id: long
                    kind: command
                    run: "echo $AGENTRY_IDEMPOTENCY_KEY >> %s; while [ ! -f %s ]; do sleep 0.05; done"
                """.formatted(started, release), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(started));
        h.node.stop(Duration.ofMillis(200)); // graceful stop: the command is still running after the grace period
        Files.createFile(release);
        try (var next = new EngineHarness(work, h.db, "node-b")) {
            awaitStatus(run, "succeeded");
            var attempts = h.queries.attempts("default", run, "long");
            assertThat(attempts).extracting(a -> a.status()).containsExactly("expired", "succeeded");
            assertThat(attempts.get(0).idempotencyKey()).isEqualTo(attempts.get(1).idempotencyKey());
        }
    }

    @Test
    void output_with_nul_bytes_is_recorded_rather_than_wedging_the_node() {
        long run = h.start("""
                name: binary
                steps:
                  - id: a
                    kind: command
                    run: |
                      printf 'x\\000y\\n'
                      printf 'k=v\\000w\\n' > "$AGENTRY_OUTPUTS"
                  - {id: b, kind: noop, needs: [a]}
                """, Map.of());
        awaitStatus(run, "succeeded");
        assertThat(h.queries.logs("default", run, "a").get(0).log()).isEqualTo("x\uFFFDy\n");
        assertThat(h.step(run, "a").outputs()).containsEntry("k", "v\uFFFDw");
    }

    @Test
    void unknown_pipelines_runs_and_inputs_are_named() {
        assertThatThrownBy(() -> h.engine.start("default", "ghost", null, Map.of(), null))
                .isInstanceOf(NotFound.class).hasMessageContaining("no pipeline named 'ghost'");
        h.engine.apply("default", "{name: typed, inputs: {n: {required: true}}, steps: [{id: a, kind: noop}]}", null);
        assertThatThrownBy(() -> h.engine.start("default", "typed", null, Map.of("m", "1"), null))
                .isInstanceOf(InvalidInputs.class)
                .satisfies(e -> assertThat(((InvalidInputs) e).problems()).extracting(p -> p.field())
                        .containsExactlyInAnyOrder("inputs.m", "inputs.n"));
        assertThat(h.queries.runs(new dev.agentry.core.engine.RunQueries.RunFilter("default", null, null, 10, null)).items()).isEmpty();
        assertThatThrownBy(() -> h.engine.cancel("default", 999_999)).isInstanceOf(NotFound.class);
    }
}
