package dev.agentry.server.board;

import static dev.agentry.server.board.Boards.HELD;
import static dev.agentry.server.board.Boards.WS;
import static dev.agentry.server.board.Boards.approve;
import static dev.agentry.server.board.Boards.block;
import static dev.agentry.server.board.Boards.created;
import static dev.agentry.server.board.Boards.dependsOn;
import static dev.agentry.server.board.Boards.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Waves: tasks started in dependency order, never more than maxParallel at once, and surviving a restart. */
class WaveTest {
    private static long module(TestServer s) {
        assertThat(s.post(WS + "/pipelines", HELD).statusCode()).isIn(200, 201);
        long service = block(s, "{\"kind\": \"service\", \"name\": \"shop\"}");
        return block(s, "{\"kind\": \"module\", \"parent\": " + service + ", \"name\": \"cart\"}");
    }

    private static long task(TestServer s, long module, String name) {
        return block(s, "{\"kind\": \"task\", \"parent\": " + module + ", \"name\": \"" + name + "\", \"pipeline\": \"held\"}");
    }

    private static JsonNode wave(TestServer s, long id) {
        return get(s, "/waves/" + id);
    }

    private static List<Long> runs(JsonNode wave) {
        var runs = new ArrayList<Long>();
        wave.path("tasks").forEach(t -> {
            if (!t.path("run").isNull() && !t.path("run").isMissingNode()) {
                runs.add(t.path("run").asLong());
            }
        });
        return runs;
    }

    private static long runOf(TestServer s, long wave, long task) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (var t : wave(s, wave).path("tasks")) {
                if (t.path("task").asLong() == task && t.path("run").asLong() > 0) {
                    return t.path("run").asLong();
                }
            }
            return 0L;
        }, r -> r > 0);
    }

    @Test
    void no_more_than_max_parallel_tasks_are_in_progress_at_once() throws Exception {
        try (var s = new TestServer()) {
            long module = module(s);
            long a = task(s, module, "a");
            long b = task(s, module, "b");
            long c = task(s, module, "c");

            long wave = created(s, "/waves", "{\"tasks\": [" + a + ", " + b + ", " + c + "], \"maxParallel\": 2}").path("id").asLong();

            await().atMost(Duration.ofSeconds(20)).until(() -> runs(wave(s, wave)).size(), n -> n == 2);
            Thread.sleep(2_500); // several rounds of the duty: still two
            var started = runs(wave(s, wave));
            assertThat(started).hasSize(2);
            assertThat(get(s, "/runs").path("items")).hasSize(2);

            approve(s, started.get(0));
            await().atMost(Duration.ofSeconds(20)).until(() -> runs(wave(s, wave)).size(), n -> n == 3);
            for (long run : runs(wave(s, wave))) {
                if (run != started.get(0)) {
                    approve(s, run);
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> wave(s, wave).path("status").asText(), st -> st.equals("succeeded"));
            assertThat(wave(s, wave).path("tasks").findValuesAsText("status")).containsOnly("done");
        }
    }

    @Test
    void a_task_starts_only_after_the_tasks_it_depends_on_are_done_and_a_failure_blocks_its_dependents() throws Exception {
        try (var s = new TestServer()) {
            long module = module(s);
            long first = task(s, module, "first");
            long second = task(s, module, "second");
            long third = task(s, module, "third");
            dependsOn(s, second, first);
            dependsOn(s, third, second);

            long wave = created(s, "/waves", "{\"tasks\": [" + third + ", " + second + ", " + first + "], \"maxParallel\": 3}")
                    .path("id").asLong();

            long firstRun = runOf(s, wave, first);
            Thread.sleep(2_000);
            assertThat(runs(wave(s, wave))).containsExactly(firstRun);

            approve(s, firstRun);
            long secondRun = runOf(s, wave, second);
            // the second task's run is canceled: it fails, the third is blocked and never starts, the wave fails
            assertThat(s.post(WS + "/runs/" + secondRun + "/cancel", "{}").statusCode()).isIn(200, 202);

            await().atMost(Duration.ofSeconds(20)).until(() -> wave(s, wave).path("status").asText(), st -> st.equals("failed"));
            var tasks = wave(s, wave).path("tasks");
            assertThat(tasks.findValuesAsText("status")).containsExactly("done", "failed", "blocked");
            assertThat(runs(wave(s, wave))).containsExactly(firstRun, secondRun);
        }
    }

    @Test
    void the_recent_waves_are_listed_newest_first_with_their_tasks() {
        try (var s = new TestServer()) {
            long module = module(s);
            long a = task(s, module, "a");
            long b = task(s, module, "b");
            long older = created(s, "/waves", "{\"tasks\": [" + a + "], \"maxParallel\": 1}").path("id").asLong();
            long newer = created(s, "/waves", "{\"tasks\": [" + b + ", " + a + "], \"maxParallel\": 2}").path("id").asLong();

            var items = get(s, "/waves").path("items");

            assertThat(items.findValuesAsText("id")).containsExactly(Long.toString(newer), Long.toString(older));
            var listed = items.get(0);
            var single = wave(s, newer);
            assertThat(listed.path("maxParallel").asInt()).isEqualTo(2);
            assertThat(listed.path("tasks").findValuesAsText("task"))
                    .containsExactlyElementsOf(single.path("tasks").findValuesAsText("task")).hasSize(2);
            assertThat(items.get(1).path("tasks").findValuesAsText("task")).containsExactly(Long.toString(a));
        }
    }

    @Test
    void a_wave_started_before_a_restart_finishes_after_it() {
        String url = TestDatabase.freshUrl();
        long wave;
        long first;
        long second;
        long firstRun;
        try (var before = new TestServer(TestServer.EVENTS, url)) {
            long module = module(before);
            first = task(before, module, "first");
            second = task(before, module, "second");
            dependsOn(before, second, first);
            wave = created(before, "/waves", "{\"tasks\": [" + first + ", " + second + "], \"maxParallel\": 1}").path("id").asLong();
            firstRun = runOf(before, wave, first);
        }
        try (var after = new TestServer(TestServer.EVENTS, url)) {
            approve(after, firstRun);
            long secondRun = runOf(after, wave, second);
            approve(after, secondRun);

            await().atMost(Duration.ofSeconds(30)).until(() -> wave(after, wave).path("status").asText(), st -> st.equals("succeeded"));
            assertThat(runs(wave(after, wave))).containsExactly(firstRun, secondRun);
            assertThat(get(after, "/blocks/" + second).path("status").asText()).isEqualTo("done");
        }
    }
}
