package dev.agentry.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.pipeline.PipelineParser;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The run aggregate on its own: no database, no nodes; claims are done here the way the store's claim statement does them. */
class RunStateTest {
    private static final long RUN = 7;
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    /** Jitter that always waits the longest: the full exponential backoff. */
    private static final RandomGenerator NO_JITTER = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    private final AtomicLong decisionIds = new AtomicLong(100);

    private RunState run(String yaml, Map<String, String> inputs) {
        var run = RunState.create(RUN, "default", 1, PipelineParser.parse(yaml), inputs, null, T0);
        run.useDecisionIds(decisionIds::incrementAndGet);
        return run;
    }

    private RunState admitted(String yaml) {
        var run = run(yaml, Map.of());
        run.admit(T0);
        return run;
    }

    /** What StepClaimReady does to a ready step: running under a lease, one more attempt. */
    private static StepOutcome.StepRef claim(RunState run, String stepId, String owner) {
        StepState step = run.step(stepId);
        step.moveTo(StepStatus.RUNNING);
        step.attempts++;
        step.leaseOwner = owner;
        step.startedAt = T0;
        return new StepOutcome.StepRef(run.id(), stepId, step.attempts, owner);
    }

    private static boolean succeed(RunState run, StepOutcome.StepRef ref, Map<String, String> outputs) {
        return run.complete(StepOutcome.succeeded(ref, outputs, 0, "ok\n"), T0.plusSeconds(1), NO_JITTER);
    }

    private static boolean fail(RunState run, StepOutcome.StepRef ref, String error) {
        return run.complete(StepOutcome.failed(ref, error, 1, "oops\n"), T0.plusSeconds(1), NO_JITTER);
    }

    private static boolean expire(RunState run, StepOutcome.StepRef ref) {
        return run.complete(StepOutcome.expired(ref), T0.plusSeconds(1), NO_JITTER);
    }

    private static List<String> types(RunState run) {
        return run.events().stream().map(Event::type).toList();
    }

    private static String key(RunState run, String stepId) {
        return StepState.idempotencyKey(run.id(), stepId, run.step(stepId).keyGeneration());
    }

    private static StepStatus status(RunState run, String stepId) {
        return run.step(stepId).status();
    }

    // ---- starting ---------------------------------------------------------------------------------

    @Test
    void a_new_run_is_queued_with_every_step_pending_and_to_be_written() {
        var run = run("{name: p, steps: [{id: a, kind: noop}, {id: b, kind: noop, needs: [a]}]}", Map.of());
        assertThat(run.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(run.createdAt()).isEqualTo(T0);
        assertThat(run.startedAt()).isNull();
        assertThat(run.steps()).extracting(StepState::status).containsExactly(StepStatus.PENDING, StepStatus.PENDING);
        assertThat(run.steps()).allSatisfy(s -> assertThat(s.changed()).isTrue());
        assertThat(run.events()).containsExactly(Event.ofRun("run.queued", RUN, Map.of("pipeline", "p")));
    }

    @Test
    void admitting_a_run_makes_the_steps_that_need_nothing_ready() {
        var run = admitted("""
                name: p
                steps:
                  - {id: a, kind: noop}
                  - {id: b, kind: noop, needs: [a]}
                  - {id: c, kind: command, run: "true"}
                """);
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.startedAt()).isEqualTo(T0);
        assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        assertThat(status(run, "b")).isEqualTo(StepStatus.PENDING);
        assertThat(status(run, "c")).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").dueAt()).as("ready now, not later").isEqualTo(T0);
        assertThat(run.events()).extracting(Event::type, Event::stepId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("run.queued", null),
                org.assertj.core.groups.Tuple.tuple("run.started", null),
                org.assertj.core.groups.Tuple.tuple("step.ready", "a"),
                org.assertj.core.groups.Tuple.tuple("step.ready", "c"));
    }

    @Test
    void admitting_a_run_twice_is_refused_by_the_transition_table() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        assertThatThrownBy(() -> run.admit(T0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("RUNNING to RUNNING");
    }

    // ---- completing attempts ----------------------------------------------------------------------

    @Test
    void a_succeeded_step_keeps_its_outputs_and_readies_the_steps_that_need_it() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop}, {id: b, kind: noop, needs: [a]}]}");
        assertThat(succeed(run, claim(run, "a", "n1"), Map.of("v", "1"))).isTrue();

        assertThat(status(run, "a")).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(run.step("a").outputs()).containsExactly(Map.entry("v", "1"));
        assertThat(run.step("a").leaseOwner()).isNull();
        assertThat(status(run, "b")).isEqualTo(StepStatus.READY);
        assertThat(run.templateContext().outputs()).containsOnlyKeys("a");
        assertThat(run.attemptEnds()).containsExactly(
                new RunState.AttemptEnd("a", 1, AttemptStatus.SUCCEEDED, "n1", 0, T0, T0.plusSeconds(1), null, 0, "ok\n"));
        assertThat(types(run)).endsWith("step.succeeded", "step.ready");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);

        succeed(run, claim(run, "b", "n2"), Map.of());
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.finishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(run.error()).isNull();
        assertThat(types(run)).endsWith("step.succeeded", "run.succeeded");
    }

    @Test
    void a_completion_from_another_owner_or_an_older_attempt_is_refused_and_changes_nothing() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop, retry: {max_attempts: 3}}]}");
        var first = claim(run, "a", "n1");
        expire(run, first);
        var second = claim(run, "a", "n2");
        int events = run.events().size();
        int ends = run.attemptEnds().size();

        assertThat(succeed(run, first, Map.of())).as("the node that lost its lease").isFalse();
        assertThat(fail(run, new StepOutcome.StepRef(RUN, "a", second.attempt(), "n1"), "x")).as("right attempt, wrong owner").isFalse();
        assertThat(succeed(run, new StepOutcome.StepRef(RUN, "a", second.attempt() + 1, "n2"), Map.of())).as("an attempt not made yet").isFalse();
        assertThat(succeed(run, new StepOutcome.StepRef(RUN, "nope", 1, "n2"), Map.of())).as("no such step").isFalse();

        assertThat(status(run, "a")).isEqualTo(StepStatus.RUNNING);
        assertThat(run.step("a").leaseOwner()).isEqualTo("n2");
        assertThat(run.events()).hasSize(events);
        assertThat(run.attemptEnds()).hasSize(ends);
        assertThat(succeed(run, second, Map.of())).isTrue();
    }

    @Test
    void a_failed_attempt_is_retried_after_its_backoff_until_the_budget_is_spent() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop, retry: {max_attempts: 2, backoff: 5s}}]}");
        assertThat(fail(run, claim(run, "a", "n1"), "exited with code 1")).isTrue();

        var a = run.step("a");
        assertThat(a.status()).isEqualTo(StepStatus.READY);
        assertThat(a.failures()).isEqualTo(1);
        assertThat(a.dueAt()).isEqualTo(T0.plusSeconds(1).plusSeconds(5));
        var retrying = run.events().get(run.events().size() - 1);
        assertThat(retrying.type()).isEqualTo("step.retrying");
        assertThat(retrying.data()).containsEntry("delayMs", 5000L).containsEntry("nextAttempt", 2).containsEntry("error", "exited with code 1");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);

        fail(run, claim(run, "a", "n1"), "exited with code 2");
        assertThat(a.status()).isEqualTo(StepStatus.FAILED);
        assertThat(a.error()).isEqualTo("exited with code 2");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("step a failed: exited with code 2");
        assertThat(types(run)).endsWith("step.failed", "run.failed");
        assertThat(run.attemptEnds()).extracting(RunState.AttemptEnd::attempt, RunState.AttemptEnd::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, AttemptStatus.FAILED), org.assertj.core.groups.Tuple.tuple(2, AttemptStatus.FAILED));
    }

    @Test
    void lost_attempts_are_retried_at_once_and_do_not_spend_the_retry_budget() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop}]}"); // one attempt allowed
        assertThat(expire(run, claim(run, "a", "n1"))).isTrue();
        assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").dueAt()).isEqualTo(T0.plusSeconds(1));
        expire(run, claim(run, "a", "n2"));
        assertThat(run.step("a").failures()).isZero();
        assertThat(run.step("a").lost()).isEqualTo(2);
        assertThat(run.attemptEnds()).extracting(RunState.AttemptEnd::status).containsExactly(AttemptStatus.EXPIRED, AttemptStatus.EXPIRED);
        assertThat(run.attemptEnds().get(0).error()).contains("n1");

        succeed(run, claim(run, "a", "n3"), Map.of());
        assertThat(run.step("a").attempts()).isEqualTo(3);
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void a_step_that_keeps_losing_its_node_fails_instead_of_looping_forever() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        for (int i = 1; i < RunState.MAX_LOST_ATTEMPTS; i++) {
            expire(run, claim(run, "a", "n" + i));
            assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        }
        expire(run, claim(run, "a", "last"));
        assertThat(status(run, "a")).isEqualTo(StepStatus.FAILED);
        assertThat(run.step("a").error()).isEqualTo("lost its node 20 times in a row");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void a_failure_in_between_restarts_the_count_of_lost_attempts() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop, retry: {max_attempts: 2, backoff: 1s}}]}");
        for (int i = 1; i < RunState.MAX_LOST_ATTEMPTS; i++) {
            expire(run, claim(run, "a", "n"));
        }
        fail(run, claim(run, "a", "n"), "boom");
        expire(run, claim(run, "a", "n"));
        assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").lost()).isEqualTo(1);
    }

    @Test
    void the_idempotency_key_survives_a_lost_attempt_and_changes_after_a_failed_one() {
        var run = admitted("{name: p, steps: [{id: a, kind: noop, retry: {max_attempts: 3}}]}");
        String first = key(run, "a");
        assertThat(first).isEqualTo("7:a:1");

        expire(run, claim(run, "a", "n1"));
        assertThat(key(run, "a")).as("the lost attempt may have done its work: same request").isEqualTo(first);

        fail(run, claim(run, "a", "n2"), "500 from the API");
        String second = key(run, "a");
        assertThat(second).as("the outside world remembered a failure: a fresh request").isNotEqualTo(first).isEqualTo("7:a:2");

        expire(run, claim(run, "a", "n3"));
        assertThat(key(run, "a")).isEqualTo(second);
    }

    // ---- conditions and skips -----------------------------------------------------------------------

    @Test
    void skips_cascade_and_failure_and_always_steps_still_run() {
        var run = admitted("""
                name: p
                steps:
                  - {id: build, kind: noop}
                  - {id: test, kind: noop, needs: [build]}
                  - {id: deploy, kind: noop, needs: [test]}
                  - {id: cleanup, kind: noop, needs: [deploy], when: always}
                  - {id: alert, kind: noop, needs: [build], when: failure}
                  - {id: alert-late, kind: noop, needs: [test], when: failure}
                """);
        fail(run, claim(run, "build", "n"), "compile error");

        assertThat(status(run, "test")).isEqualTo(StepStatus.SKIPPED);
        assertThat(status(run, "deploy")).isEqualTo(StepStatus.SKIPPED);
        assertThat(status(run, "cleanup")).isEqualTo(StepStatus.READY);
        assertThat(status(run, "alert")).isEqualTo(StepStatus.READY);
        assertThat(status(run, "alert-late")).as("only a failure among its own needs counts").isEqualTo(StepStatus.SKIPPED);
        assertThat(run.events()).filteredOn(e -> e.type().equals("step.skipped")).extracting(Event::stepId, e -> e.data().get("reason"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("test", "a step it needs did not succeed"),
                        org.assertj.core.groups.Tuple.tuple("deploy", "a step it needs did not succeed"),
                        org.assertj.core.groups.Tuple.tuple("alert-late", "nothing it needs failed"));
        assertThat(run.status()).as("clean-up still to run").isEqualTo(RunStatus.RUNNING);

        succeed(run, claim(run, "cleanup", "n"), Map.of());
        succeed(run, claim(run, "alert", "n"), Map.of());
        assertThat(run.status()).as("handled failures still fail the run").isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("step build failed: compile error");
    }

    @Test
    void failure_handlers_are_skipped_when_nothing_fails_and_the_run_succeeds() {
        var run = admitted("""
                name: p
                steps:
                  - {id: build, kind: noop}
                  - {id: alert, kind: noop, needs: [build], when: failure}
                  - {id: after-alert, kind: noop, needs: [alert]}
                  - {id: report, kind: noop, needs: [alert], when: always}
                """);
        succeed(run, claim(run, "build", "n"), Map.of());
        assertThat(status(run, "alert")).isEqualTo(StepStatus.SKIPPED);
        assertThat(status(run, "after-alert")).isEqualTo(StepStatus.SKIPPED);
        assertThat(status(run, "report")).isEqualTo(StepStatus.READY);
        succeed(run, claim(run, "report", "n"), Map.of());
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    // ---- cancel and retry --------------------------------------------------------------------------

    @Test
    void cancel_stops_every_unfinished_step_and_its_attempt_and_decision() {
        var run = admitted("""
                name: p
                steps:
                  - {id: done, kind: noop}
                  - {id: work, kind: noop}
                  - {id: ask, kind: approval}
                  - {id: later, kind: noop, needs: [work]}
                """);
        succeed(run, claim(run, "done", "n1"), Map.of());
        var work = claim(run, "work", "n1");
        long decision = run.step("ask").decisionId();
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_YOU);

        run.cancel(T0.plusSeconds(5), "canceled");

        assertThat(run.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(run.error()).isEqualTo("canceled");
        assertThat(run.finishedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(status(run, "done")).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(List.of(status(run, "work"), status(run, "ask"), status(run, "later"))).containsOnly(StepStatus.CANCELED);
        assertThat(run.attemptEnds()).last().isEqualTo(
                new RunState.AttemptEnd("work", 1, AttemptStatus.CANCELED, "n1", 0, T0, T0.plusSeconds(5), "canceled", null, null));
        assertThat(run.decisionChanges()).last().satisfies(d -> {
            assertThat(d.id()).isEqualTo(decision);
            assertThat(d.status()).isEqualTo(DecisionStatus.CANCELED);
        });
        assertThat(types(run)).endsWith("step.canceled", "step.canceled", "step.canceled", "run.canceled");

        assertThat(succeed(run, work, Map.of())).as("the node finishing after the cancel").isFalse();
        assertThat(status(run, "work")).isEqualTo(StepStatus.CANCELED);
        assertThatThrownBy(() -> run.answer(decision, true, null, null, T0)).isInstanceOf(RunConflict.class);
    }

    @Test
    void a_queued_run_can_be_canceled() {
        var run = run("{name: p, steps: [{id: a, kind: noop}]}", Map.of());
        run.cancel(T0, "canceled");
        assertThat(run.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(status(run, "a")).isEqualTo(StepStatus.CANCELED);
    }

    @Test
    void a_finished_run_cannot_be_canceled() {
        var succeeded = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        succeed(succeeded, claim(succeeded, "a", "n"), Map.of());
        assertThatThrownBy(() -> succeeded.cancel(T0, "canceled")).isInstanceOf(RunConflict.class)
                .hasMessage("run 7 is succeeded and cannot be canceled");

        var canceled = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        canceled.cancel(T0, "canceled");
        int events = canceled.events().size();
        assertThatThrownBy(() -> canceled.cancel(T0, "canceled")).isInstanceOf(RunConflict.class).hasMessageContaining("is canceled");
        assertThat(canceled.events()).hasSize(events);
    }

    @Test
    void retry_resumes_from_the_failed_step_with_a_fresh_budget_and_keeps_what_succeeded() {
        var run = admitted("""
                name: p
                steps:
                  - {id: build, kind: noop}
                  - {id: test, kind: noop, needs: [build], retry: {max_attempts: 2, backoff: 1s}}
                  - {id: ship, kind: noop, needs: [test]}
                """);
        succeed(run, claim(run, "build", "n"), Map.of("image", "x:1"));
        fail(run, claim(run, "test", "n"), "flaky");
        fail(run, claim(run, "test", "n"), "flaky");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(status(run, "ship")).isEqualTo(StepStatus.SKIPPED);

        run.retry(T0.plusSeconds(60));

        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.error()).isNull();
        assertThat(run.finishedAt()).isNull();
        assertThat(status(run, "build")).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(run.step("build").outputs()).containsEntry("image", "x:1");
        assertThat(status(run, "test")).isEqualTo(StepStatus.READY);
        assertThat(run.step("test").failures()).isZero();
        assertThat(run.step("test").error()).isNull();
        assertThat(status(run, "ship")).isEqualTo(StepStatus.PENDING);
        assertThat(run.events()).filteredOn(e -> e.type().equals("run.started")).last()
                .satisfies(e -> assertThat(e.data()).containsEntry("retry", true));

        var third = claim(run, "test", "n");
        assertThat(third.attempt()).as("attempt numbers keep counting").isEqualTo(3);
        fail(run, third, "flaky");
        assertThat(status(run, "test")).as("the budget is fresh after a retry").isEqualTo(StepStatus.READY);
    }

    @Test
    void only_failed_or_canceled_runs_can_be_retried() {
        var running = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        assertThatThrownBy(() -> running.retry(T0)).isInstanceOf(RunConflict.class)
                .hasMessage("run 7 is running; only failed or canceled runs can be retried");
        succeed(running, claim(running, "a", "n"), Map.of());
        assertThatThrownBy(() -> running.retry(T0)).isInstanceOf(RunConflict.class).hasMessageContaining("is succeeded");

        var canceled = admitted("{name: p, steps: [{id: a, kind: noop}]}");
        claim(canceled, "a", "n");
        canceled.cancel(T0, "canceled");
        canceled.retry(T0.plusSeconds(1));
        assertThat(canceled.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(status(canceled, "a")).isEqualTo(StepStatus.READY);
    }

    @Test
    void retrying_a_run_canceled_before_it_started_records_when_it_started() {
        var run = run("{name: p, steps: [{id: a, kind: noop}]}", Map.of());
        run.cancel(T0, "canceled");
        run.retry(T0.plusSeconds(10));
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.startedAt()).isEqualTo(T0.plusSeconds(10));
    }

    // ---- decisions and timers ----------------------------------------------------------------------

    @Test
    void an_approval_asks_a_human_and_approving_resumes_the_run() {
        var run = run("""
                name: p
                inputs: {who: {}}
                steps:
                  - {id: ask, kind: approval, prompt: "Ship to {{ inputs.who }} from run {{ run.id }}?"}
                  - {id: ship, kind: noop, needs: [ask]}
                """, Map.of("who", "prod"));
        run.admit(T0);

        var ask = run.step("ask");
        assertThat(ask.status()).isEqualTo(StepStatus.WAITING);
        assertThat(ask.decisionId()).isEqualTo(101L);
        assertThat(ask.dueAt()).as("no deadline").isNull();
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_YOU);
        assertThat(run.decisionChanges()).containsExactly(new RunState.DecisionChange(101, "ask", DecisionStatus.PENDING,
                "Ship to prod from run 7?", null, null, null, T0, true));
        assertThat(types(run)).containsExactly("run.queued", "run.started", "step.started", "decision.requested", "run.needs-you");

        run.answer(101, true, "go", "ana", T0.plusSeconds(30));

        assertThat(ask.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(ask.outputs()).isEqualTo(Map.of("approved", "true", "comment", "go", "by", "ana"));
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(status(run, "ship")).isEqualTo(StepStatus.READY);
        assertThat(run.decisionChanges()).last().isEqualTo(new RunState.DecisionChange(101, "ask", DecisionStatus.APPROVED,
                null, null, "go", "ana", T0.plusSeconds(30), false));
        assertThat(types(run)).endsWith("decision.answered", "step.succeeded", "step.ready", "run.resumed");
    }

    @Test
    void rejecting_fails_the_step_and_a_decision_is_answered_once() {
        var run = admitted("{name: p, steps: [{id: ask, kind: approval}, {id: ship, kind: noop, needs: [ask]}]}");
        long decision = run.step("ask").decisionId();
        run.answer(decision, false, "not today", "bo", T0);

        assertThat(status(run, "ask")).isEqualTo(StepStatus.FAILED);
        assertThat(run.step("ask").error()).isEqualTo("rejected by bo: not today");
        assertThat(status(run, "ship")).isEqualTo(StepStatus.SKIPPED);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("step ask failed: rejected by bo: not today");

        assertThatThrownBy(() -> run.answer(decision, true, null, null, T0)).isInstanceOf(RunConflict.class)
                .hasMessage("decision " + decision + " is not pending");
        assertThatThrownBy(() -> run.answer(999, true, null, null, T0)).isInstanceOf(RunConflict.class);
    }

    @Test
    void a_run_needs_you_until_its_last_pending_decision_is_answered() {
        var run = admitted("{name: p, steps: [{id: a, kind: approval}, {id: b, kind: approval}, {id: c, kind: noop, needs: [a, b]}]}");
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_YOU);
        run.answer(run.step("a").decisionId(), true, null, null, T0);
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_YOU);
        assertThat(run.step("a").outputs()).isEqualTo(Map.of("approved", "true"));
        run.answer(run.step("b").decisionId(), true, null, null, T0);
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(status(run, "c")).isEqualTo(StepStatus.READY);
    }

    @Test
    void a_sleep_ends_when_its_timer_fires_and_not_before() {
        var run = admitted("{name: p, steps: [{id: nap, kind: sleep, duration: 10m}, {id: b, kind: noop, needs: [nap]}]}");
        assertThat(status(run, "nap")).isEqualTo(StepStatus.WAITING);
        assertThat(run.step("nap").dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(run.status()).as("a timer is not a human").isEqualTo(RunStatus.RUNNING);

        assertThat(run.fireTimer("nap", T0.plus(Duration.ofMinutes(9)))).isFalse();
        assertThat(status(run, "nap")).isEqualTo(StepStatus.WAITING);
        assertThat(run.fireTimer("nap", T0.plus(Duration.ofMinutes(10)))).isTrue();
        assertThat(status(run, "nap")).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(status(run, "b")).isEqualTo(StepStatus.READY);
        assertThat(run.fireTimer("nap", T0.plus(Duration.ofMinutes(11)))).as("fires once").isFalse();
        assertThat(run.fireTimer("b", T0.plus(Duration.ofMinutes(11)))).as("not a timer").isFalse();
    }

    @Test
    void an_approval_deadline_applies_its_default_outcome() {
        var rejects = admitted("{name: p, steps: [{id: ask, kind: approval, deadline: 1h, on_deadline: reject}]}");
        assertThat(rejects.step("ask").dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
        assertThat(rejects.fireTimer("ask", T0.plus(Duration.ofHours(1)))).isTrue();
        assertThat(rejects.step("ask").error()).isEqualTo("rejected: deadline passed");
        assertThat(rejects.status()).isEqualTo(RunStatus.FAILED);
        assertThat(rejects.decisionChanges()).last().extracting(RunState.DecisionChange::status).isEqualTo(DecisionStatus.EXPIRED);
        assertThat(types(rejects)).contains("decision.expired");

        var approves = admitted("{name: p, steps: [{id: ask, kind: approval, deadline: 1h, on_deadline: approve}]}");
        approves.fireTimer("ask", T0.plus(Duration.ofHours(2)));
        assertThat(approves.step("ask").outputs()).containsEntry("approved", "true");
        assertThat(approves.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(approves.decisionChanges()).last().extracting(RunState.DecisionChange::status).isEqualTo(DecisionStatus.EXPIRED);
    }

    @Test
    void an_answer_after_the_deadline_fired_is_refused() {
        var run = admitted("{name: p, steps: [{id: ask, kind: approval, deadline: 1h}]}");
        long decision = run.step("ask").decisionId();
        run.fireTimer("ask", T0.plus(Duration.ofHours(1)));
        assertThatThrownBy(() -> run.answer(decision, true, null, null, T0.plus(Duration.ofHours(1)))).isInstanceOf(RunConflict.class);
        assertThat(status(run, "ask")).isEqualTo(StepStatus.FAILED);
    }

    // ---- the transition tables ---------------------------------------------------------------------

    @Test
    void the_run_transition_table_allows_only_the_moves_agentry_makes() {
        assertThat(RunStatus.QUEUED.next()).containsExactlyInAnyOrder(RunStatus.RUNNING, RunStatus.CANCELED);
        assertThat(RunStatus.RUNNING.next()).containsExactlyInAnyOrder(
                RunStatus.NEEDS_YOU, RunStatus.PAUSED, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED);
        assertThat(RunStatus.NEEDS_YOU.next()).containsExactlyInAnyOrder(
                RunStatus.RUNNING, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED);
        assertThat(RunStatus.PAUSED.next()).containsExactlyInAnyOrder(RunStatus.RUNNING, RunStatus.CANCELED);
        assertThat(RunStatus.FAILED.next()).containsExactly(RunStatus.RUNNING);
        assertThat(RunStatus.CANCELED.next()).containsExactly(RunStatus.RUNNING);
        assertThat(RunStatus.SUCCEEDED.next()).isEmpty();
        for (var s : RunStatus.values()) {
            assertThat(s.canMoveTo(RunStatus.QUEUED)).as("%s -> QUEUED", s).isFalse();
            assertThat(s.canMoveTo(s)).as("%s -> itself", s).isFalse();
        }
        assertThat(EnumSet.allOf(RunStatus.class)).filteredOn(RunStatus::finished)
                .containsExactlyInAnyOrder(RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED);
    }

    @Test
    void the_step_transition_table_allows_only_the_moves_agentry_makes() {
        assertThat(StepStatus.PENDING.next()).containsExactlyInAnyOrder(
                StepStatus.READY, StepStatus.WAITING, StepStatus.SKIPPED, StepStatus.CANCELED, StepStatus.SUCCEEDED);
        assertThat(StepStatus.READY.next()).containsExactlyInAnyOrder(StepStatus.RUNNING, StepStatus.CANCELED);
        assertThat(StepStatus.RUNNING.next()).containsExactlyInAnyOrder(
                StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.READY, StepStatus.WAITING, StepStatus.CANCELED);
        assertThat(StepStatus.WAITING.next()).containsExactlyInAnyOrder(StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.READY,
                StepStatus.CANCELED);
        for (var finished : List.of(StepStatus.FAILED, StepStatus.CANCELED, StepStatus.SKIPPED)) {
            assertThat(finished.next()).containsExactly(StepStatus.PENDING);
        }
        assertThat(StepStatus.SUCCEEDED.next()).isEmpty();
        for (var s : StepStatus.values()) {
            assertThat(s.canMoveTo(s)).as("%s -> itself", s).isFalse();
        }
    }

    @Test
    void a_step_refuses_a_move_its_table_does_not_allow() {
        var step = StepState.fresh("a");
        assertThatThrownBy(() -> step.moveTo(StepStatus.RUNNING)).isInstanceOf(IllegalStateException.class)
                .hasMessage("step a cannot move from PENDING to RUNNING");
        assertThat(step.status()).isEqualTo(StepStatus.PENDING);
        assertThat(step.changed()).isFalse();
        step.moveTo(StepStatus.READY);
        assertThatThrownBy(() -> step.moveTo(StepStatus.SUCCEEDED)).isInstanceOf(IllegalStateException.class);
        step.moveTo(StepStatus.CANCELED);
        step.moveTo(StepStatus.PENDING);
        step.moveTo(StepStatus.SUCCEEDED);
        for (var target : StepStatus.values()) {
            assertThatThrownBy(() -> step.moveTo(target)).as("SUCCEEDED -> %s", target).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void wire_names_read_back_and_unknown_ones_are_refused() {
        for (var s : RunStatus.values()) {
            assertThat(RunStatus.fromWire(s.wireName())).isEqualTo(s);
        }
        assertThat(RunStatus.NEEDS_YOU.wireName()).isEqualTo("needs-you");
        assertThatThrownBy(() -> RunStatus.fromWire("NEEDS_YOU")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunStatus.fromWire("done")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown run status 'done'");
        for (var s : StepStatus.values()) {
            assertThat(StepStatus.fromWire(s.wireName())).isEqualTo(s);
        }
    }

    // ---- runner pools and gates ----------------------------------------------------------------

    @Test
    void a_run_on_a_repository_has_a_branch_named_after_the_run_and_its_task_for_every_attempt() {
        var run = RunState.create(RUN, "default", 1, PipelineParser.parse("{name: fix, steps: [{id: a, kind: noop}]}"),
                Map.of("task", "Fix the login page (#42)!"), "shop", T0);
        assertThat(run.branch()).isEqualTo("agentry/7-fix-the-login-page-42");
        assertThat(RunState.create(RUN, "default", 1, PipelineParser.parse("{name: fix, steps: [{id: a, kind: noop}]}"),
                Map.of(), null, T0).branch()).as("no repository, no branch").isNull();
    }

    @Test
    void ready_steps_are_placed_on_their_pool_and_node_work_on_the_local_pool() {
        var run = admitted("""
                name: p
                steps:
                  - {id: a, kind: command, run: x, pool: big}
                  - {id: b, kind: command, run: x, labels: [gpu]}
                  - {id: c, kind: command, run: x}
                  - {id: d, kind: noop}
                """);
        assertThat(run.step("a").pool()).isEqualTo("big");
        assertThat(run.step("b").pool()).isNull();
        assertThat(run.step("b").labels()).containsExactly("gpu");
        assertThat(run.step("c").pool()).as("the default pool, whichever it is").isNull();
        assertThat(run.step("c").labels()).isEmpty();
        assertThat(run.step("d").pool()).isEqualTo(RunState.NODE_POOL);
    }

    @Test
    void a_lost_attempt_is_retried_at_once_with_a_new_key_without_spending_the_retry_budget() {
        var run = admitted("{name: l, steps: [{id: a, kind: command, run: x}]}");
        var first = claim(run, "a", "n1");
        int generation = run.step("a").keyGeneration();
        assertThat(run.complete(StepOutcome.lost(first, "runner lost: evicted", null), T0.plusSeconds(1), NO_JITTER)).isTrue();
        assertThat(run.step("a").status()).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").failures()).isZero();
        assertThat(run.step("a").keyGeneration()).as("a fresh job id for a fresh runner").isEqualTo(generation + 1);
        assertThat(run.attemptEnds()).extracting(RunState.AttemptEnd::status).containsExactly(AttemptStatus.LOST);
        assertThat(run.events()).anySatisfy(e -> assertThat(e.type()).isEqualTo("step.retrying"));
    }

    @Test
    void a_ci_gate_continues_with_its_memo_and_its_fix_attempt_runs_on_the_fixers_pool() {
        var run = admitted("""
                name: g
                steps:
                  - {id: open, kind: open-pr}
                  - {id: ci, kind: gate, gate: ci, needs: [open], fixer: {run: ./fix.sh, pool: big}}
                """);
        succeed(run, claim(run, "open", "n1"), Map.of("number", "1"));
        assertThat(run.step("ci").pool()).isEqualTo(RunState.NODE_POOL);
        var check = claim(run, "ci", "n1");
        run.complete(StepOutcome.continued(check, Duration.ZERO, GateMemo.START.fixNext().toMap(), "checks failed", null),
                T0.plusSeconds(2), NO_JITTER);
        assertThat(run.step("ci").status()).isEqualTo(StepStatus.READY);
        assertThat(run.step("ci").pool()).as("the fix runs where the fixer is placed").isEqualTo("big");
        assertThat(GateMemo.of(run.step("ci").memo()).fixing()).isTrue();
        assertThat(run.attemptEnds()).extracting(RunState.AttemptEnd::status).contains(AttemptStatus.CONTINUED);
        var fix = claim(run, "ci", "n1");
        run.complete(StepOutcome.continued(fix, Duration.ofSeconds(10), GateMemo.of(run.step("ci").memo()).fixed().toMap(),
                "fixed", null), T0.plusSeconds(3), NO_JITTER);
        assertThat(run.step("ci").pool()).isEqualTo(RunState.NODE_POOL);
        assertThat(run.step("ci").dueAt()).isEqualTo(T0.plusSeconds(13));
        assertThat(GateMemo.of(run.step("ci").memo()).fixes()).isEqualTo(1);
    }

    private static final String AGENTS = """
            name: agents
            steps:
              - id: a
                kind: agent
                agent: architect
                prompt: design it
              - id: b
                kind: agent
                agent: coder
                needs: [a]
                prompt: build it
            """;

    @Test
    void an_agents_question_waits_on_a_decision_and_its_answer_makes_the_step_ready_with_the_answer() {
        var run = admitted(AGENTS);
        var ref = claim(run, "a", "n1");
        String keyBefore = key(run, "a");
        assertThat(run.complete(StepOutcome.asked(ref, "Which language?", null), T0.plusSeconds(1), NO_JITTER)).isTrue();
        assertThat(status(run, "a")).isEqualTo(StepStatus.WAITING);
        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_YOU);
        long decision = run.step("a").decisionId();
        assertThat(run.decisionChanges()).extracting(RunState.DecisionChange::prompt).contains("Which language?");

        run.answer(decision, true, "Go", "ada", T0.plusSeconds(2));
        assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").memo()).containsEntry(RunState.AGENT_ANSWER, "Go");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(key(run, "a")).as("the same attempt goes on: its checkpoint is kept").isEqualTo(keyBefore);
    }

    @Test
    void a_declined_question_fails_the_agent_step() {
        var run = admitted(AGENTS);
        run.complete(StepOutcome.asked(claim(run, "a", "n1"), "Which language?", null), T0.plusSeconds(1), NO_JITTER);
        run.answer(run.step("a").decisionId(), false, "not now", "ada", T0.plusSeconds(2));
        assertThat(status(run, "a")).isEqualTo(StepStatus.FAILED);
        assertThat(run.step("a").error()).contains("declined by ada: not now");
    }

    @Test
    void a_paused_run_parks_its_ready_steps_until_it_resumes_and_starts_nothing_meanwhile() {
        var run = admitted(AGENTS);
        assertThat(run.pause("budget", Map.of("budget", "account"), T0)).isTrue();
        assertThat(run.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(run.step("a").dueAt()).isEqualTo(RunState.PARKED);
        assertThat(run.pause("budget", Map.of(), T0)).as("already paused").isFalse();

        run.step("a").dueAt = T0; // a node had claimed it just before the pause
        var ref = claim(run, "a", "n1");
        assertThat(run.complete(StepOutcome.succeeded(ref, Map.of("answer", "x"), 0, null), T0.plusSeconds(1), NO_JITTER)).isTrue();
        assertThat(status(run, "b")).as("nothing starts while paused").isEqualTo(StepStatus.PENDING);

        assertThat(run.resume("cap raised", T0.plusSeconds(5))).isTrue();
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(status(run, "b")).isEqualTo(StepStatus.READY);
        assertThat(run.step("b").dueAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(types(run)).contains("run.paused", "run.resumed");
    }

    @Test
    void an_attempt_stopped_by_a_budget_is_ready_again_without_spending_its_retry_budget_and_parked_while_paused() {
        var run = admitted(AGENTS);
        var ref = claim(run, "a", "n1");
        String keyBefore = key(run, "a");
        run.pause("budget", Map.of(), T0);
        assertThat(run.complete(StepOutcome.paused(ref, "a budget is spent", null), T0.plusSeconds(1), NO_JITTER)).isTrue();
        assertThat(status(run, "a")).isEqualTo(StepStatus.READY);
        assertThat(run.step("a").failures()).isZero();
        assertThat(run.step("a").dueAt()).isEqualTo(RunState.PARKED);
        assertThat(key(run, "a")).isEqualTo(keyBefore);
        run.resume("rollover", T0.plusSeconds(9));
        assertThat(run.step("a").dueAt()).isEqualTo(T0.plusSeconds(9));
    }
}
