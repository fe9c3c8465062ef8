package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.command;
import static dev.agentry.runners.harness.Jobs.env;
import static dev.agentry.runners.harness.Jobs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.runners.harness.JobOutcome.Cause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandJobTest {
    @TempDir
    Path tmp;
    Origin origin;
    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        origin = Origin.create(tmp.resolve("origin"), Map.of("README.md", "hello\n", "src/app.txt", "v1\n"));
        harness = Jobs.harness(tmp.resolve("work"));
    }

    @Test
    void a_job_that_commits_an_edit_has_it_pushed_to_the_task_branch() throws Exception {
        var ran = run(harness, command("job-1", origin,
                "echo working; printf 'v2\\n' > src/app.txt && git commit --quiet -am 'Bump the app to v2'"));

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        var result = ran.outcome().result();
        assertThat(origin.head("task")).isEqualTo(result.headCommit());
        assertThat(origin.file("task", "src/app.txt")).isEqualTo("v2\n");
        assertThat(origin.file("main", "src/app.txt")).as("the base is untouched").isEqualTo("v1\n");
        assertThat(result.branch()).isEqualTo("task");
        assertThat(result.summary()).isEqualTo("Bump the app to v2");
        assertThat(result.changedFiles()).containsExactly("src/app.txt");
        assertThat(result.exitCode()).isZero();
        assertThat(result.log()).isEqualTo("working\n");
        assertThat(git(tmp.resolve("work/trees/job-1"), "symbolic-ref", "--quiet", "HEAD").ok())
                .as("the tree is kept for the next job, detached").isFalse();
        assertThat(tmp.resolve("work/mirrors")).as("the mirror is kept").isNotEmptyDirectory();
    }

    @Test
    void changes_left_uncommitted_are_committed_by_the_harness_when_leftovers_say_commit() throws Exception {
        var ran = run(harness, Jobs.withLeftovers(command("job-1", origin,
                "printf 'v2\\n' > src/app.txt; mkdir -p docs && echo new > docs/new.md"), JobSpec.Leftovers.COMMIT));

        assertThat(ran.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(origin.subjects("task").getFirst()).isEqualTo("agentry: changes left uncommitted by build");
        assertThat(ran.outcome().result().summary()).isEqualTo("agentry: changes left uncommitted by build");
        assertThat(ran.outcome().result().changedFiles()).containsExactlyInAnyOrder("src/app.txt", "docs/new.md");
        assertThat(origin.file("task", "docs/new.md")).isEqualTo("new\n");
    }

    @Test
    void changes_left_uncommitted_fail_the_job_naming_the_files_when_leftovers_say_fail() throws Exception {
        var ran = run(harness, Jobs.withLeftovers(command("job-1", origin,
                "git commit --quiet --allow-empty -m 'Committed work'; printf 'v2\\n' > src/app.txt; echo x > stray.txt"),
                JobSpec.Leftovers.FAIL));

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.UNCOMMITTED);
        assertThat(ran.outcome().failure().message()).contains("src/app.txt", "stray.txt");
        assertThat(origin.head("task")).as("nothing is pushed").isNull();
    }

    @Test
    void a_job_that_exits_nonzero_fails_with_its_exit_code_and_pushes_nothing() throws Exception {
        var ran = run(harness, command("job-1", origin, "echo v2 > src/app.txt; git commit --quiet -am 'Half done'; echo oops; exit 3"));

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        var failure = ran.outcome().failure();
        assertThat(failure.cause()).isEqualTo(Cause.EXIT);
        assertThat(failure.exitCode()).isEqualTo(3);
        assertThat(failure.log()).isEqualTo("oops\n");
        assertThat(origin.head("task")).isNull();
    }

    @Test
    void a_retried_job_starts_from_the_pushed_head_of_the_task_branch() throws Exception {
        var first = run(harness, command("job-1", origin, "echo one > one.txt && git add one.txt && git commit --quiet -m 'First attempt'"));
        assertThat(first.outcome().state()).isEqualTo(JobState.DONE);

        var second = run(harness, command("job-2", origin,
                "test -f one.txt || { echo 'one.txt is missing'; exit 9; }; echo two > two.txt && git add two.txt && git commit --quiet -m 'Second attempt'"));

        assertThat(second.outcome().state()).as(String.valueOf(second.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(origin.subjects("task")).containsExactly("Second attempt", "First attempt", "initial");
        assertThat(second.outcome().result().changedFiles()).as("changed by this job only").containsExactly("two.txt");
    }

    @Test
    void a_task_branch_made_elsewhere_is_resumed_and_the_base_is_not_used() throws Exception {
        origin.commit("task", Map.of("task.txt", "from a person\n"), "Started by hand");
        origin.commit("main", Map.of("base.txt", "later on main\n"), "Base moved on");

        var ran = run(harness, command("job-1", origin, "cat task.txt; test ! -f base.txt && echo no-base"));

        assertThat(ran.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(ran.output()).isEqualTo("from a person\nno-base\n");
        assertThat(ran.outcome().result().summary()).isEqualTo("no changes");
        assertThat(ran.outcome().result().changedFiles()).isEmpty();
    }

    @Test
    void a_job_whose_task_branch_moved_on_the_remote_meanwhile_fails_and_overwrites_nothing() throws Exception {
        String before = origin.commit("task", Map.of("task.txt", "1\n"), "Before the job");
        Path started = tmp.resolve("started");
        Path go = tmp.resolve("go");
        var job = CompletableFuture.supplyAsync(() -> run(harness, command("job-1", origin.url(), null,
                "touch \"$STARTED\"; while [ ! -f \"$GO\" ]; do sleep 0.05; done; echo mine > mine.txt; git add .; git commit --quiet -m Mine",
                env("STARTED", started.toString(), "GO", go.toString()))));
        while (!Files.exists(started)) {
            Thread.sleep(20);
        }
        String theirs = origin.commit("task", Map.of("theirs.txt", "2\n"), "Pushed meanwhile");
        Files.writeString(go, "");
        var ran = job.get(30, TimeUnit.SECONDS);

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.BRANCH_MOVED);
        assertThat(ran.outcome().failure().message()).contains("moved", before.substring(0, 12));
        assertThat(origin.head("task")).isEqualTo(theirs);
    }

    @Test
    void a_second_job_on_a_task_branch_checked_out_by_a_running_job_fails_as_busy() throws Exception {
        Path started = tmp.resolve("started");
        Path go = tmp.resolve("go");
        var first = CompletableFuture.supplyAsync(() -> run(harness, command("job-1", origin.url(), null,
                "touch \"$STARTED\"; while [ ! -f \"$GO\" ]; do sleep 0.05; done",
                env("STARTED", started.toString(), "GO", go.toString()))));
        while (!Files.exists(started)) {
            Thread.sleep(20);
        }

        var second = run(harness, command("job-2", origin, "true"));
        Files.writeString(go, "");

        assertThat(second.outcome().failure().cause()).isEqualTo(Cause.BRANCH_BUSY);
        assertThat(second.outcome().failure().message()).contains("job-1");
        assertThat(first.get(30, TimeUnit.SECONDS).outcome().state()).isEqualTo(JobState.DONE);
        assertThat(run(harness, command("job-3", origin, "true")).outcome().state()).as("free again").isEqualTo(JobState.DONE);
    }

    @Test
    void a_process_that_leaves_head_off_the_task_branch_fails_and_pushes_nothing() throws Exception {
        var ran = run(harness, command("job-1", origin, "git checkout --quiet --detach && echo x > x.txt && git add x.txt && git commit --quiet -m Detached"));

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.BRANCH);
        assertThat(origin.head("task")).isNull();
    }

    @Test
    void the_process_gets_the_small_environment_and_its_outputs_and_progress_are_read() throws Exception {
        var ran = run(harness, command("job-1", origin.url(), null, """
                echo "branch=$AGENTRY_BRANCH base=$AGENTRY_BASE_BRANCH job=$AGENTRY_JOB_ID run=$AGENTRY_RUN_ID step=$AGENTRY_STEP_ID attempt=$AGENTRY_ATTEMPT"
                echo "key=$AGENTRY_IDEMPOTENCY_KEY workdir-is-here=$(test "$AGENTRY_WORKDIR" = "$(pwd -P)" && echo yes) custom=$CUSTOM"
                echo "author=$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL> committer=$GIT_COMMITTER_NAME"
                echo '{"completed": 1, "total": 2}' > "$AGENTRY_PROGRESS"; sleep 0.5
                printf 'answer=42\\nnote=all good\\n' > "$AGENTRY_OUTPUTS"
                """, env("CUSTOM", "yes", "GIT_AUTHOR_NAME", "Step Author")));

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(ran.output()).contains(
                "branch=task base=main job=job-1 run=7 step=build attempt=1\n",
                "key=key-job-1 workdir-is-here=yes custom=yes\n",
                "author=Step Author <agentry@localhost> committer=Agentry\n");
        assertThat(ran.outcome().result().outputs()).isEqualTo(Map.of("answer", "42", "note", "all good"));
        assertThat(ran.progress()).contains(Map.of("completed", 1, "total", 2));
    }

    @Test
    void jobs_without_a_repository_share_their_run_s_scratch_directory() throws Exception {
        var first = run(harness, Jobs.scratch("job-1", 42, "echo hello > shared.txt", Map.of()));
        var second = run(harness, Jobs.scratch("job-2", 42, "cat shared.txt; pwd -P", Map.of()));

        assertThat(first.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(second.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(second.output()).isEqualTo("hello\n" + tmp.resolve("work/runs/42").toRealPath() + "\n");
        assertThat(second.outcome().result().branch()).isNull();
    }

    @Test
    void a_spec_that_cannot_run_fails_as_invalid_naming_the_field() {
        var ran = run(harness, Jobs.spec("job-1", JobSpec.COMMAND, new JobSpec.RepositoryCheckout("repo", origin.url(), "main", null),
                "--upload-pack=evil", "true", Map.of(), null, null));

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.INVALID);
        assertThat(ran.outcome().failure().message()).contains("taskBranch");
    }

    private static dev.agentry.runners.git.Git.Result git(Path tree, String... args) throws java.io.IOException {
        return dev.agentry.runners.git.Git.tree(tree).tryRun(args);
    }
}
