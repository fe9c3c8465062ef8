package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.run;
import static dev.agentry.runners.harness.Jobs.syncBase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import dev.agentry.runners.harness.JobOutcome.Cause;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncBaseTest {
    @TempDir
    Path tmp;
    Origin origin;
    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        origin = Origin.create(tmp.resolve("origin"), Map.of("shared.txt", "one\ntwo\nthree\n", "README.md", "hello\n"));
        harness = Jobs.harness(tmp.resolve("work"));
    }

    @Test
    void a_base_that_merges_cleanly_is_merged_into_the_task_branch_and_pushed() throws Exception {
        origin.commit("task", Map.of("task.txt", "task work\n"), "Task work");
        origin.commit("main", Map.of("base.txt", "base work\n"), "Base work");
        origin.commit("main", Map.of("README.md", "hello again\n"), "More base work");

        var ran = run(harness, syncBase("job-1", origin, null));

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(ran.outcome().result().summary()).isEqualTo("merged main (2 commits) into task");
        assertThat(origin.parents("task")).isEqualTo(2);
        assertThat(origin.file("task", "base.txt")).isEqualTo("base work\n");
        assertThat(origin.file("task", "task.txt")).isEqualTo("task work\n");
        assertThat(ran.outcome().result().changedFiles()).containsExactlyInAnyOrder("base.txt", "README.md");
    }

    @Test
    void a_task_branch_that_has_the_base_already_is_left_as_it_is() throws Exception {
        String head = origin.commit("task", Map.of("task.txt", "task work\n"), "Task work");

        var ran = run(harness, syncBase("job-1", origin, null));

        assertThat(ran.outcome().result().summary()).isEqualTo("already up to date with main");
        assertThat(origin.head("task")).isEqualTo(head);
    }

    @Test
    void a_conflict_is_handed_to_the_resolver_and_the_harness_concludes_the_merge() throws Exception {
        origin.commit("task", Map.of("shared.txt", "one\nTWO (task)\nthree\n"), "Task edits line two");
        origin.commit("main", Map.of("shared.txt", "one\nTWO (base)\nthree\n"), "Base edits line two");

        var ran = run(harness, syncBase("job-1", origin,
                "git diff --name-only --diff-filter=U; printf 'one\\nTWO (both)\\nthree\\n' > shared.txt"));

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(ran.output()).as("the resolver sees the conflicted tree").isEqualTo("shared.txt\n");
        assertThat(origin.file("task", "shared.txt")).isEqualTo("one\nTWO (both)\nthree\n");
        assertThat(origin.parents("task")).isEqualTo(2);
        assertThat(ran.outcome().result().summary()).isEqualTo("merged main (1 commit) into task, conflicts in shared.txt resolved");
    }

    @Test
    void a_resolver_may_commit_the_merge_itself() throws Exception {
        origin.commit("task", Map.of("shared.txt", "task\n"), "Task edits");
        origin.commit("main", Map.of("shared.txt", "base\n"), "Base edits");

        var ran = run(harness, syncBase("job-1", origin, "echo merged > shared.txt && git commit --quiet -am 'Resolved by the agent'"));

        assertThat(ran.outcome().state()).isEqualTo(JobState.DONE);
        assertThat(origin.subjects("task").getFirst()).isEqualTo("Resolved by the agent");
        assertThat(origin.parents("task")).isEqualTo(2);
    }

    @Test
    void a_conflict_without_a_resolver_fails_naming_the_files_and_pushes_nothing() throws Exception {
        String head = origin.commit("task", Map.of("shared.txt", "task\n", "other.txt", "task\n"), "Task edits");
        origin.commit("main", Map.of("shared.txt", "base\n", "other.txt", "base\n"), "Base edits");

        var ran = run(harness, syncBase("job-1", origin, null));

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.CONFLICT);
        assertThat(ran.outcome().failure().message()).contains("other.txt", "shared.txt", "no resolver");
        assertThat(origin.head("task")).isEqualTo(head);
    }

    @Test
    void a_resolver_that_leaves_conflict_markers_fails_the_job() throws Exception {
        String head = origin.commit("task", Map.of("shared.txt", "task\n"), "Task edits");
        origin.commit("main", Map.of("shared.txt", "base\n"), "Base edits");

        var ran = run(harness, syncBase("job-1", origin, "echo 'I looked at it'"));

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.CONFLICT);
        assertThat(ran.outcome().failure().message()).contains("conflict markers remain in shared.txt");
        assertThat(origin.head("task")).isEqualTo(head);
    }

    @Test
    void a_resolver_that_commits_conflict_markers_fails_the_job() throws Exception {
        origin.commit("task", Map.of("shared.txt", "task\n"), "Task edits");
        origin.commit("main", Map.of("shared.txt", "base\n"), "Base edits");

        var ran = run(harness, syncBase("job-1", origin, "git commit --quiet -am 'Markers and all'"));

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.CONFLICT);
        assertThat(ran.outcome().failure().message()).contains("shared.txt");
    }

    @Test
    void a_resolver_that_aborts_the_merge_fails_the_job() throws Exception {
        origin.commit("task", Map.of("shared.txt", "task\n"), "Task edits");
        origin.commit("main", Map.of("shared.txt", "base\n"), "Base edits");

        var ran = run(harness, syncBase("job-1", origin, "git merge --abort"));

        assertThat(ran.outcome().failure().cause()).isEqualTo(Cause.CONFLICT);
        assertThat(ran.outcome().failure().message()).contains("did not complete the merge");
    }
}
