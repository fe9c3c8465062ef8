package dev.agentry.runners.local;

import static dev.agentry.runners.harness.Jobs.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.core.testing.MutableClock;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.runners.harness.Jobs;
import dev.agentry.runners.harness.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPoolTest {
    @TempDir
    Path tmp;
    MutableClock clock = new MutableClock();
    LocalPool pool;

    @BeforeEach
    void setUp() {
        pool = new LocalPool(new LocalPool.Settings(tmp.resolve("work"), 2, 4096, clock, Duration.ofMinutes(10), Duration.ofMillis(300)));
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    /** A job that prints {@code started} and then waits until the file {@code <tmp>/<jobId>.go} exists. */
    private JobSpec waiting(String jobId) {
        return Jobs.scratch(jobId, 1, "echo started; while [ ! -f \"$GO\" ]; do sleep 0.02; done; echo finished",
                env("GO", tmp.resolve(jobId + ".go").toString()));
    }

    private void let(String jobId) throws Exception {
        Files.writeString(tmp.resolve(jobId + ".go"), "");
    }

    private JobView finished(String jobId) throws Exception {
        JobView view;
        do {
            view = pool.poll(jobId, Duration.ofSeconds(5), -1);
        } while (!view.state().finished());
        return view;
    }

    @Test
    void jobs_beyond_the_slots_wait_in_order_until_a_slot_frees() throws Exception {
        assertThat(pool.dispatch(waiting("a")).state()).isEqualTo(JobState.RUNNING);
        assertThat(pool.dispatch(waiting("b")).state()).isEqualTo(JobState.RUNNING);
        assertThat(pool.dispatch(waiting("c")).state()).isEqualTo(JobState.QUEUED);
        assertThat(pool.dispatch(waiting("d")).state()).isEqualTo(JobState.QUEUED);
        Thread.sleep(300);
        assertThat(pool.poll("c", Duration.ZERO, 0).state()).as("still no slot").isEqualTo(JobState.QUEUED);

        let("b");
        assertThat(finished("b").state()).isEqualTo(JobState.DONE);

        await().atMost(Duration.ofSeconds(5)).until(() -> pool.poll("c", Duration.ZERO, 0).state() == JobState.RUNNING);
        assertThat(pool.poll("d", Duration.ZERO, 0).state()).as("queued in order").isEqualTo(JobState.QUEUED);
        assertThat(pool.poll("a", Duration.ZERO, 0).state()).isEqualTo(JobState.RUNNING);
        for (String id : new String[] {"a", "c", "d"}) {
            let(id);
        }
        assertThat(finished("d").result().log()).isEqualTo("started\nfinished\n");
    }

    @Test
    void dispatching_a_known_job_id_returns_that_job_and_runs_nothing_again() throws Exception {
        Path count = tmp.resolve("count");
        var spec = Jobs.scratch("once", 1, "echo run >> \"$COUNT\"; while [ ! -f \"$GO\" ]; do sleep 0.02; done",
                env("COUNT", count.toString(), "GO", tmp.resolve("once.go").toString()));

        pool.dispatch(spec);
        await().until(() -> Files.exists(count));
        assertThat(pool.dispatch(spec).state()).isEqualTo(JobState.RUNNING);
        let("once");
        finished("once");
        assertThat(pool.dispatch(spec).state()).as("the finished job, not a new one").isEqualTo(JobState.DONE);

        assertThat(Files.readAllLines(count)).containsExactly("run");
    }

    @Test
    void a_long_poll_returns_output_as_it_streams() throws Exception {
        var spec = Jobs.scratch("talk", 1, "echo one; while [ ! -f \"$GO\" ]; do sleep 0.02; done; echo two; sleep 0.3; echo three",
                env("GO", tmp.resolve("talk.go").toString()));
        pool.dispatch(spec);

        var first = pool.poll("talk", Duration.ofSeconds(10), 0);
        while (first.output() == null) {
            first = pool.poll("talk", Duration.ofSeconds(10), 0);
        }
        assertThat(first.output().text()).isEqualTo("one\n");
        assertThat(first.output().from()).isZero();
        assertThat(first.output().next()).isEqualTo(4);
        assertThat(first.heartbeatAt()).isNotNull();

        long t0 = System.nanoTime();
        var quiet = pool.poll("talk", Duration.ofMillis(300), 4);
        assertThat(System.nanoTime() - t0).as("waited the whole time").isGreaterThanOrEqualTo(290_000_000L);
        assertThat(quiet.output()).isNull();
        assertThat(quiet.state()).isEqualTo(JobState.RUNNING);

        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
                let("talk");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t0 = System.nanoTime();
        var second = pool.poll("talk", Duration.ofSeconds(10), 4);
        assertThat(System.nanoTime() - t0).as("returned as soon as there was output").isLessThan(3_000_000_000L);
        assertThat(second.output().text()).isEqualTo("two\n");
        assertThat(second.output().from()).isEqualTo(4);

        var last = pool.poll("talk", Duration.ofSeconds(10), second.output().next());
        assertThat(last.output().text()).isEqualTo("three\n");
        var end = pool.poll("talk", Duration.ofSeconds(10), last.output().next());
        assertThat(end.state()).isEqualTo(JobState.DONE);
        assertThat(end.output()).isNull();
        assertThat(end.result().log()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void a_poll_for_output_the_pool_no_longer_holds_starts_at_the_oldest_byte_held() throws Exception {
        pool.dispatch(Jobs.scratch("loud", 1, "i=0; while [ $i -lt 1000 ]; do echo 0123456789; i=$((i+1)); done", Map.of()));
        finished("loud");

        var view = pool.poll("loud", Duration.ZERO, 0);

        assertThat(view.output().from()).isEqualTo(11_000 - 4096);
        assertThat(view.output().next()).isEqualTo(11_000);
        assertThat(view.result().log()).startsWith("[... " + (11_000 - 4096) + " earlier bytes dropped ...]\n");
    }

    @Test
    void an_unknown_job_is_lost() {
        var view = pool.poll("never-dispatched", Duration.ofSeconds(1), 0);

        assertThat(view.state()).isEqualTo(JobState.LOST);
        assertThat(view.error().message()).isEqualTo("unknown job");
    }

    @Test
    void a_finished_job_is_kept_for_late_polls_then_forgotten() throws Exception {
        pool.dispatch(Jobs.scratch("quick", 1, "echo hi", Map.of()));
        finished("quick");

        clock.advance(Duration.ofMinutes(9));
        assertThat(pool.poll("quick", Duration.ZERO, 0).result().log()).isEqualTo("hi\n");
        clock.advance(Duration.ofMinutes(2));
        assertThat(pool.poll("quick", Duration.ZERO, 0).state()).isEqualTo(JobState.LOST);
    }

    @Test
    void releasing_a_running_job_stops_its_processes_and_forgets_it() throws Exception {
        Path pids = tmp.resolve("pids");
        pool.dispatch(Jobs.scratch("doomed", 1, "echo $$ >> \"$PIDS\"; sleep 300 & echo $! >> \"$PIDS\"; echo started; wait",
                env("PIDS", pids.toString())));
        await().until(() -> pool.poll("doomed", Duration.ofSeconds(1), 0).output() != null);

        pool.release("doomed");

        assertThat(pool.poll("doomed", Duration.ZERO, 0).state()).isEqualTo(JobState.LOST);
        assertThat(Jobs.pids(pids)).hasSize(2).noneMatch(Jobs::running);
        pool.release("doomed"); // harmless
    }

    @Test
    void releasing_a_queued_job_means_it_never_runs() throws Exception {
        pool.dispatch(waiting("a"));
        pool.dispatch(waiting("b"));
        Path ran = tmp.resolve("ran");
        pool.dispatch(Jobs.scratch("c", 1, "touch \"$RAN\"", env("RAN", ran.toString())));

        pool.release("c");
        let("a");
        let("b");
        finished("a");
        finished("b");

        Thread.sleep(200);
        assertThat(ran).doesNotExist();
    }

    @Test
    void a_repository_job_runs_through_the_pool_and_reports_its_result() throws Exception {
        var origin = Origin.create(tmp.resolve("origin"));
        pool.dispatch(Jobs.command("repo-job", origin, "echo change > change.txt; echo '{\"completed\": 1}' > \"$AGENTRY_PROGRESS\"; sleep 0.5"));

        var view = finished("repo-job");

        assertThat(view.state()).as(String.valueOf(view.error())).isEqualTo(JobState.DONE);
        assertThat(view.result().headCommit()).isEqualTo(origin.head("task"));
        assertThat(view.result().changedFiles()).containsExactly("change.txt");
        assertThat(view.progress()).isEqualTo(Map.of("completed", 1));
    }

    @Test
    void a_closed_pool_stops_its_jobs_and_starts_no_queued_one() throws Exception {
        Path pids = tmp.resolve("pids");
        pool.dispatch(Jobs.scratch("long", 1, "sleep 300 & echo $! >> \"$PIDS\"; echo started; wait", env("PIDS", pids.toString())));
        pool.dispatch(waiting("other"));
        pool.dispatch(waiting("queued"));
        await().until(() -> pool.poll("long", Duration.ofSeconds(1), 0).output() != null);

        pool.close();

        assertThat(pool.poll("long", Duration.ZERO, -1).error().cause()).isEqualTo("stopped");
        assertThat(pool.poll("queued", Duration.ZERO, -1).error().cause()).isEqualTo("stopped");
        assertThat(Jobs.pids(pids)).hasSize(1).noneMatch(Jobs::running);
    }
}
