package dev.agentry.core.board;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.engine.Views;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskStatusTest {
    private static final Block WITH_PIPELINE = task("work");
    private static final Block WITHOUT_PIPELINE = task(null);

    private static Block task(String pipeline) {
        return new Block(1, "default", BlockKind.TASK, 9L, "t", "", null, pipeline, List.of(), Instant.EPOCH);
    }

    private static Views.StepView step(String kind, Map<String, String> outputs) {
        return new Views.StepView(kind, kind, "succeeded", 1, null, null, null, null, outputs, null, null);
    }

    private static Views.RunView run(String status, Views.StepView... steps) {
        return new Views.RunView(7, "default", "work", 1, status, Map.of(), null, null, null, Instant.EPOCH, null, null,
                null, null, List.of(steps));
    }

    @Test
    void a_task_without_runs_is_planned_until_it_has_a_pipeline_and_its_dependencies_are_done() {
        assertThat(TaskStatus.of(WITHOUT_PIPELINE, null, true)).isEqualTo(TaskStatus.PLANNED);
        assertThat(TaskStatus.of(WITH_PIPELINE, null, false)).isEqualTo(TaskStatus.PLANNED);
        assertThat(TaskStatus.of(WITH_PIPELINE, null, true)).isEqualTo(TaskStatus.READY);
    }

    @Test
    void the_latest_run_decides_once_there_is_one() {
        assertThat(TaskStatus.of(WITH_PIPELINE, run("queued"), false)).isEqualTo(TaskStatus.IN_PROGRESS);
        assertThat(TaskStatus.of(WITH_PIPELINE, run("running"), true)).isEqualTo(TaskStatus.IN_PROGRESS);
        for (var s : List.of("needs-you", "paused", "failed", "canceled")) {
            assertThat(TaskStatus.of(WITH_PIPELINE, run(s), true)).as(s).isEqualTo(TaskStatus.NEEDS_ATTENTION);
        }
        assertThat(TaskStatus.of(WITH_PIPELINE, run("succeeded", step("command", Map.of())), true)).isEqualTo(TaskStatus.DONE);
    }

    @Test
    void a_run_that_opened_a_pull_request_without_merging_it_leaves_the_task_pr_ready() {
        var opened = step("open-pr", Map.of("prUrl", "http://forge/pr/1"));

        assertThat(TaskStatus.of(WITH_PIPELINE, run("succeeded", opened), true)).isEqualTo(TaskStatus.PR_READY);
        assertThat(TaskStatus.of(WITH_PIPELINE, run("succeeded", opened, step("merge", Map.of())), true))
                .isEqualTo(TaskStatus.DONE);
        assertThat(TaskStatus.PR_READY.wireName()).isEqualTo("pr-ready");
    }
}
