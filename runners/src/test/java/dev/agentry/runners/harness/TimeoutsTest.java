package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.env;
import static dev.agentry.runners.harness.Jobs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import dev.agentry.runners.harness.JobOutcome.Cause;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeoutsTest {
    /**
     * A tree that is hard to stop: a plain child, a subshell (and its child) that ignore TERM, a child started
     * after the others, and a grandchild whose parent exits at once (handed to init, no longer a descendant).
     * Every pid goes to {@code $PIDS}.
     */
    static final String STUBBORN_TREE = """
            echo $$ >> "$PIDS"
            sleep 300 & echo $! >> "$PIDS"
            ( trap '' TERM; sleep 300 & echo $! >> "$PIDS"; wait ) & echo $! >> "$PIDS"
            ( sleep 0.3; sleep 300 & echo $! >> "$PIDS"; wait ) & echo $! >> "$PIDS"
            ( sleep 300 & echo $! >> "$PIDS" ) &
            """;

    @TempDir
    Path tmp;
    Harness harness;
    Path pids;

    @BeforeEach
    void setUp() {
        harness = Jobs.harness(tmp.resolve("work"));
        pids = tmp.resolve("pids");
    }

    @Test
    void a_step_silent_past_its_no_output_timeout_is_killed_with_all_its_children() throws Exception {
        var spec = Jobs.withTimeouts(Jobs.scratch("job-1", 1, STUBBORN_TREE + "echo started; wait",
                env("PIDS", pids.toString())), null, Duration.ofSeconds(1));

        long t0 = System.nanoTime();
        var ran = run(harness, spec);
        long took = (System.nanoTime() - t0) / 1_000_000;

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.NO_OUTPUT);
        assertThat(ran.outcome().failure().message()).contains("printed nothing for 1s");
        assertThat(ran.outcome().failure().log()).isEqualTo("started\n");
        assertThat(took).as("1 s of silence, then TERM and KILL after the 0.3 s grace").isBetween(1000L, 4000L);
        List<Long> started = Jobs.pids(pids);
        assertThat(started).hasSize(7);
        assertThat(started).as("no process of the tree is left").noneMatch(Jobs::running);
    }

    @Test
    void output_resets_the_no_output_clock() {
        var spec = Jobs.withTimeouts(Jobs.scratch("job-1", 1, "for i in 1 2 3 4 5 6; do echo $i; sleep 0.3; done", Map.of()),
                null, Duration.ofSeconds(1));

        var ran = run(harness, spec);

        assertThat(ran.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(ran.output()).isEqualTo("1\n2\n3\n4\n5\n6\n");
    }

    @Test
    void a_step_running_past_its_wall_clock_timeout_is_killed_with_all_its_children() throws Exception {
        var spec = Jobs.withTimeouts(Jobs.scratch("job-1", 1,
                STUBBORN_TREE + "while true; do echo tick; sleep 0.1; done", env("PIDS", pids.toString())),
                Duration.ofSeconds(1), Duration.ofSeconds(30));

        var ran = run(harness, spec);

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.TIMEOUT);
        assertThat(ran.outcome().failure().message()).contains("wall-clock limit of 1s");
        assertThat(ran.outcome().failure().log()).startsWith("tick\n");
        assertThat(Jobs.pids(pids)).hasSize(7).noneMatch(Jobs::running);
    }

    @Test
    void what_a_step_leaves_running_when_it_exits_is_stopped_and_the_job_still_succeeds() throws Exception {
        var spec = Jobs.scratch("job-1", 1, STUBBORN_TREE + "sleep 0.5; echo done", env("PIDS", pids.toString()));

        var ran = run(harness, spec);

        assertThat(ran.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(ran.output()).isEqualTo("done\n");
        assertThat(Jobs.pids(pids)).hasSize(7).noneMatch(Jobs::running);
    }

    @Test
    void a_stopped_job_fails_as_stopped_and_leaves_nothing_running() throws Exception {
        var output = new JobOutput(4096, java.time.Clock.systemUTC(), null);
        var execution = harness.prepare(Jobs.scratch("job-1", 1, STUBBORN_TREE + "echo started; wait",
                env("PIDS", pids.toString())), output, null);
        var outcome = java.util.concurrent.CompletableFuture.supplyAsync(execution::run);
        while (output.size() == 0) {
            Thread.sleep(20);
        }
        Thread.sleep(400); // the late child has started

        execution.stop("released");

        assertThat(outcome.get().failure().cause()).isEqualTo(Cause.STOPPED);
        assertThat(Jobs.pids(pids)).hasSize(7).noneMatch(Jobs::running);
    }
}
