package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a job asks of the remote, counted on a real smart-HTTP server. */
class MirrorTest {
    @TempDir
    Path tmp;
    Origin origin;
    GitHttpServer server;
    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        origin = Origin.create(tmp.resolve("origin"));
        server = new GitHttpServer(tmp.resolve("origin"), "token");
        harness = Jobs.harness(tmp.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private JobSpec job(String jobId, String taskBranch, String run) {
        return Jobs.spec(jobId, JobSpec.COMMAND, new JobSpec.RepositoryCheckout("repo", server.url("origin.git"), "main", "token"),
                taskBranch, run, Map.of(), null, null);
    }

    private long fetches() {
        return server.commands.stream().filter("fetch"::equals).count();
    }

    @Test
    void a_warm_mirror_asks_the_remote_once_per_job_and_fetches_only_what_moved() throws Exception {
        assertThat(run(harness, job("job-1", "task-1", "true")).outcome().state()).isEqualTo(JobState.DONE);
        assertThat(fetches()).as("the first job fetches the base").isEqualTo(1);

        server.commands.clear();
        assertThat(run(harness, job("job-2", "task-2", "true")).outcome().state()).isEqualTo(JobState.DONE);
        assertThat(server.commands).as("nothing moved: one ls-refs, no fetch").containsExactly("ls-refs");

        origin.commit("main", Map.of("new.txt", "new\n"), "Base moved");
        server.commands.clear();
        var ran = run(harness, job("job-3", "task-3", "cat new.txt"));
        assertThat(ran.output()).isEqualTo("new\n");
        assertThat(server.commands).containsExactly("ls-refs", "fetch");

        server.commands.clear();
        assertThat(run(harness, job("job-4", "task-3", "echo x > x.txt")).outcome().state()).isEqualTo(JobState.DONE);
        assertThat(server.commands).as("asked, then pushed").containsExactly("ls-refs", "receive-pack");
        server.commands.clear();
        var resumed = run(harness, job("job-5", "task-3", "cat x.txt"));
        assertThat(resumed.output()).isEqualTo("x\n");
        assertThat(server.commands).as("what the harness pushed is known: no fetch").containsExactly("ls-refs");
    }

    @Test
    void a_branch_rewritten_between_listing_and_fetching_is_fetched_by_name() throws Exception {
        String initial = origin.head("main");
        run(harness, job("job-0", "task-0", "true"));
        origin.commit("main", Map.of("listed.txt", "gone soon\n"), "Listed, then rewritten away");
        server.beforeFetch = () -> {
            try {
                origin.rewrite("main", initial, Map.of("rewritten.txt", "new\n"), "Rewritten");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        server.commands.clear();

        var ran = run(harness, job("job-1", "task-1", "cat rewritten.txt; test ! -f listed.txt && echo fine"));

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(ran.output()).isEqualTo("new\nfine\n");
        assertThat(server.commands).as("by id (refused), then by name").containsExactly("ls-refs", "fetch", "ls-refs", "fetch");
    }

    @Test
    void jobs_dispatched_together_share_one_question_to_the_remote() throws Exception {
        run(harness, job("warm-up", "task-0", "true"));
        server.commands.clear();
        List<JobExecution> executions = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            executions.add(harness.prepare(job("job-" + i, "task-" + i, "true"), new JobOutput(1024, Clock.systemUTC(), null), null));
        }
        Thread.sleep(50); // the first to run asks after all four were dispatched

        var outcomes = executions.stream().map(e -> CompletableFuture.supplyAsync(e::run)).toList();

        assertThat(outcomes).allSatisfy(o -> assertThat(o.get().state()).isEqualTo(JobState.DONE));
        assertThat(server.commands).containsExactly("ls-refs");
    }
}
