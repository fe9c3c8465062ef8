package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.command;
import static dev.agentry.runners.harness.Jobs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import dev.agentry.runners.git.Git;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finished trees are kept and reset for the next job on their repository. */
class TreeReuseTest {
    @TempDir
    Path tmp;
    Origin origin;
    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        origin = Origin.create(tmp.resolve("origin"), Map.of("README.md", "hello\n", "src/app.txt", "v1\n",
                ".gitignore", "build/\n*.log\n"));
        harness = Jobs.harness(tmp.resolve("work"));
    }

    /** A script that prints where it runs and what it finds of the job before. */
    private static final String LOOK = "echo \"dir=$PWD\"; echo \"branch=$(git symbolic-ref --short HEAD)\";"
            + " echo \"head=$(git rev-parse HEAD)\"; cat src/app.txt;"
            + " for f in stray.txt build/out.bin debug.log; do test -e \"$f\" && echo \"left $f\"; done;"
            + " git status --porcelain --ignored";

    @Test
    void a_second_job_reuses_the_first_job_s_tree_with_nothing_of_it_left() throws Exception {
        // job 1 leaves everything a job can leave, and fails, so nothing is pushed
        var first = run(harness, command("job-1", origin,
                "printf 'v2\\n' > src/app.txt; echo x > stray.txt; mkdir -p build && echo bin > build/out.bin;"
                        + " echo log > debug.log; git checkout --quiet -b elsewhere; exit 4"));
        assertThat(first.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(origin.head("task")).isNull();
        Path tree = tmp.resolve("work/trees/job-1");
        assertThat(tree.resolve("build/out.bin")).as("parked as it was left").exists();

        var second = run(harness, command("job-2", origin, LOOK));

        assertThat(second.outcome().state()).as(String.valueOf(second.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(second.output()).isEqualTo("dir=" + tree.toRealPath() + "\nbranch=task\nhead=" + origin.head("main")
                + "\nv1\n");
        assertThat(tmp.resolve("work/trees/job-2")).as("no new tree").doesNotExist();
    }

    @Test
    void a_reused_tree_starts_a_resumed_branch_at_its_pushed_head() throws Exception {
        var first = run(harness, command("job-1", origin, "echo one > one.txt && git add one.txt && git commit --quiet -m One"));
        assertThat(first.outcome().state()).isEqualTo(JobState.DONE);
        String pushed = origin.head("task");
        origin.commit("other", Map.of("other.txt", "x\n"), "Other");

        var resumed = run(harness, command("job-2", origin, "cat one.txt; git rev-parse HEAD; git symbolic-ref --short HEAD"));
        var onOther = run(harness, Jobs.spec("job-3", dev.agentry.core.job.JobSpec.COMMAND,
                new dev.agentry.core.job.JobSpec.RepositoryCheckout("repo", origin.url(), "main", null), "other-task",
                "test ! -e one.txt && echo no-one; git symbolic-ref --short HEAD", Map.of(), null, null));

        assertThat(resumed.output()).isEqualTo("one\n" + pushed + "\ntask\n");
        assertThat(onOther.output()).isEqualTo("no-one\nother-task\n");
        assertThat(tmp.resolve("work/trees")).isDirectoryContaining(p -> p.getFileName().toString().equals("job-1"));
        try (var list = Files.list(tmp.resolve("work/trees"))) {
            assertThat(list.toList()).as("one tree served the three jobs").hasSize(1);
        }
    }

    @Test
    void a_tree_whose_reset_fails_is_replaced_by_a_new_one() throws Exception {
        // an index git cannot read: the reset fails
        var first = run(harness, command("job-1", origin, "echo x > locked; printf garbage > \"$(git rev-parse --git-dir)/index\"; exit 1"));
        assertThat(first.outcome().state()).isEqualTo(JobState.FAILED);
        Path old = tmp.resolve("work/trees/job-1");
        assertThat(old.resolve("locked")).exists();

        var second = run(harness, command("job-2", origin, "echo \"dir=$PWD\"; test ! -e locked && echo clean; git status --porcelain"));

        assertThat(second.outcome().state()).as(String.valueOf(second.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(second.output()).isEqualTo("dir=" + tmp.resolve("work/trees/job-2").toRealPath() + "\nclean\n");
        assertThat(old).as("the bad tree is removed").doesNotExist();
        assertThat(Git.bare(tmp.resolve("work/mirrors").toFile().listFiles()[0].toPath())
                .run("worktree", "list", "--porcelain").out()).doesNotContain("job-1");
    }

    @Test
    void a_tree_whose_git_file_was_replaced_is_not_reused() throws Exception {
        var first = run(harness, command("job-1", origin, "rm .git && git init --quiet . && exit 1"));
        assertThat(first.outcome().state()).isEqualTo(JobState.FAILED);

        var second = run(harness, command("job-2", origin, "echo \"dir=$PWD\"; git rev-parse --abbrev-ref HEAD"));

        assertThat(second.outcome().state()).as(String.valueOf(second.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(second.output()).isEqualTo("dir=" + tmp.resolve("work/trees/job-2").toRealPath() + "\ntask\n");
    }

    @Test
    void at_most_four_trees_are_kept_per_repository() throws Exception {
        var jobs = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Jobs.Ran>>();
        Path go = tmp.resolve("go");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        for (int i = 1; i <= 6; i++) {
            var spec = Jobs.spec("job-" + i, dev.agentry.core.job.JobSpec.COMMAND,
                    new dev.agentry.core.job.JobSpec.RepositoryCheckout("repo", origin.url(), "main", null), "task-" + i,
                    "while [ ! -f \"$GO\" ]; do sleep 0.05; done", Map.of("GO", go.toString()), null, null);
            jobs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> run(harness, spec), pool));
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (harness.liveTrees().size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Files.writeString(go, "");
        for (var job : jobs) {
            assertThat(job.get().outcome().state()).isEqualTo(JobState.DONE);
        }
        try (var list = Files.list(tmp.resolve("work/trees"))) {
            assertThat(list.toList()).hasSize(Harness.IDLE_TREES);
        }
        assertThat(harness.idle()).hasSize(Harness.IDLE_TREES);
        pool.shutdown();
    }
}
