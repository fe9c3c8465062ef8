package dev.agentry.server.cli;

import dev.agentry.server.cli.CliTest.Result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.engine.Signals;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresEventLog;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.Main;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The event commands ({@code events}, {@code events export}, {@code logs --follow}, {@code attention}) run in
 * this JVM against a real server: what they print, and with which exit code. Commands that follow run on a
 * thread of their own and are stopped the way Ctrl-C stops them, by interrupting that thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir static Path dir;
    TestServer server;

    /** The JSON lines a command printed. */
    static List<JsonNode> events(Result r) {
        return r.out().lines().map(CliEventsTest::json).toList();
    }

    /** A command running on a thread of its own, its output readable while it runs. */
    static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger exitCode = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) {
            var cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = new Thread(() -> exitCode.set(cli.execute(args)), "agentry " + String.join(" ", args));
            thread.start();
        }

        /** Stops it as Ctrl-C does and waits for it to end. */
        Result stop() throws InterruptedException {
            thread.interrupt();
            thread.join(PATIENCE.toMillis());
            assertThat(thread.isAlive()).as("%s still running after it was interrupted", thread.getName()).isFalse();
            return new Result(exitCode.get(), out.toString(), err.toString());
        }

        List<String> lines() {
            return out.toString().lines().toList();
        }
    }

    @BeforeAll
    void start() throws IOException {
        server = new TestServer();
        apply(server, "{name: greet, steps: [{id: say, kind: command, run: 'echo hello'}, {id: done, kind: noop, needs: [say]}]}");
        apply(server, "{name: talk, steps: [{id: talk, kind: command, run: 'for i in 1 2 3; do echo line $i; sleep 0.3; done'}]}");
        apply(server, "{name: grumble, steps: [{id: talk, kind: command, run: 'echo oops; sleep 0.3; echo giving up; exit 2'}]}");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static Result agentry(String... args) {
        return CliTest.agentry(args);
    }

    private static String[] against(TestServer server, String... args) {
        return Stream.concat(Stream.of(args), Stream.of("--url", server.url, "--token", TestServer.ADMIN_TOKEN)).toArray(String[]::new);
    }

    Result client(String... args) {
        return agentry(against(server, args));
    }

    Result ok(String... args) {
        return ok(server, args);
    }

    static Result ok(TestServer server, String... args) {
        var r = agentry(against(server, args));
        assertThat(r.exitCode()).as("agentry %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    Running follow(String... args) {
        return new Running(against(server, args));
    }

    private static void apply(TestServer server, String definition) throws IOException {
        Path file = Files.createTempFile(dir, "pipeline", ".yaml");
        Files.writeString(file, definition);
        ok(server, "pipelines", "apply", "-f", file.toString());
    }

    private static long start(TestServer server, String pipeline) {
        return Long.parseLong(ok(server, "run", pipeline).out().strip());
    }

    private long finished(String pipeline) {
        var r = ok("run", pipeline, "--wait", "--timeout", "20s", "--json");
        return json(r.out()).path("id").asLong();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> ids(List<JsonNode> events) {
        return events.stream().map(e -> e.path("id").asLong()).toList();
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    /**
     * The number of the newest stream the server has open (0 if none): a follow is connected once a stream
     * newer than the ones before it is listed. (Streams are numbered as they connect.)
     */
    private long newestStream() {
        long newest = 0;
        for (JsonNode s : json(server.get("/api/streams").body()).path("streams")) {
            newest = Math.max(newest, s.path("number").asLong());
        }
        return newest;
    }

    @Test
    void events_prints_a_finished_runs_events_as_json_lines_in_id_order() {
        long run = finished("greet");
        var r = ok("events", "--run", Long.toString(run));
        var events = events(r);
        assertThat(ids(events)).isSorted().doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.path("run").asLong()).isEqualTo(run);
            assertThat(e.path("workspace").asText()).isEqualTo("default");
        });
        assertThat(types(events)).startsWith("run.queued").endsWith("run.succeeded")
                .contains("step.started", "step.log", "step.succeeded");
        assertThat(events).filteredOn(e -> e.path("type").asText().equals("step.log"))
                .singleElement().satisfies(e -> {
                    assertThat(e.path("step").asText()).isEqualTo("say");
                    assertThat(e.path("attempt").asInt()).isEqualTo(1);
                    assertThat(e.path("data").path("text").asText()).isEqualTo("hello\n");
                });
        assertThat(r.err()).isEmpty();

        var logsOnly = events(ok("events", "--run", Long.toString(run), "--type", "step.log,run.*"));
        assertThat(types(logsOnly)).allMatch(t -> t.equals("step.log") || t.startsWith("run."))
                .contains("step.log", "run.succeeded");
        assertThat(ok("events", "--run", Long.toString(run), "--fleet").out()).as("the fleet's export has the same events")
                .isEqualTo(r.out());
    }

    @Test
    void events_export_since_an_id_prints_exactly_the_events_after_it() {
        long run = finished("greet");
        var all = ok("events", "export", "--run", Long.toString(run)).out().lines().toList();
        assertThat(all).hasSizeGreaterThan(4);
        long middle = json(all.get(2)).path("id").asLong();
        var after = ok("events", "export", "--run", Long.toString(run), "--since", Long.toString(middle)).out().lines().toList();
        assertThat(after).isEqualTo(all.subList(3, all.size()));
        long last = json(all.get(all.size() - 1)).path("id").asLong();
        assertThat(ok("events", "export", "--run", Long.toString(run), "--since", Long.toString(last)).out()).isEmpty();
    }

    @Test
    void events_follow_prints_the_events_of_a_run_started_after_it_began_and_no_snapshot() throws InterruptedException {
        long before = newestStream();
        var following = follow("events", "--follow");
        await().atMost(PATIENCE).until(() -> newestStream() > before);
        long run = start(server, "greet");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> following.lines().stream()
                .anyMatch(l -> l.contains("\"type\":\"run.succeeded\"") && json(l).path("run").asLong() == run));
        var r = following.stop();
        assertThat(r.exitCode()).as("stopping a follow is a success: %s", r).isZero();
        var events = events(r);
        assertThat(ids(events)).isSorted().doesNotHaveDuplicates();
        assertThat(types(events)).as("snapshots are left out unless asked for").doesNotContain("snapshot");

        var ofRun = following.lines().stream().filter(l -> json(l).path("run").asLong() == run).toList();
        assertThat(ofRun).as("the stream's lines are the export's").isEqualTo(ok("events", "--run", Long.toString(run)).out().lines().toList());
    }

    @Test
    void events_follow_since_an_id_replays_from_it_and_prints_snapshots_only_when_asked() throws InterruptedException {
        long run = finished("greet");
        var exported = ok("events", "--run", Long.toString(run)).out().lines().toList();
        long first = json(exported.get(0)).path("id").asLong();
        var following = follow("events", "-f", "--run", Long.toString(run), "--since", Long.toString(first));
        await().atMost(PATIENCE).until(() -> following.lines().size() >= exported.size() - 1);
        var r = following.stop();
        assertThat(r.out().lines().toList()).isEqualTo(exported.subList(1, exported.size()));

        var snapshots = follow("events", "-f", "--snapshots");
        await().atMost(PATIENCE).until(() -> !snapshots.lines().isEmpty());
        var snapshot = json(snapshots.stop().out().lines().findFirst().orElseThrow());
        assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
        assertThat(snapshot.path("data").has("runs")).isTrue();
        assertThat(snapshot.path("id").asLong()).isEqualTo(snapshot.path("data").path("position").asLong());
    }

    @Test
    void logs_follow_prints_each_line_once_and_exits_0_when_the_step_succeeds() {
        long run = start(server, "talk");
        var r = ok("logs", Long.toString(run), "talk", "--follow");
        assertThat(r.out()).isEqualTo("line 1\nline 2\nline 3\n");
        assertThat(r.err()).isEmpty();

        // Joining while the step runs: what it printed so far comes from the log, the rest from the stream.
        long later = start(server, "talk");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> !ok("events", "--run", Long.toString(later), "--type", "step.log").out().isEmpty());
        assertThat(ok("logs", Long.toString(later), "talk", "-f").out()).isEqualTo("line 1\nline 2\nline 3\n");

        assertThat(ok("logs", Long.toString(later), "talk", "-f").out()).as("a finished step: its stored log")
                .isEqualTo("line 1\nline 2\nline 3\n");
    }

    @Test
    void logs_follow_exits_1_when_the_step_fails() {
        long run = start(server, "grumble");
        var r = client("logs", Long.toString(run), "talk", "--follow");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).isEqualTo("oops\ngiving up\n");
        assertThat(r.err()).isEqualTo("agentry: step talk failed: exited with code 2\n");

        var again = client("logs", Long.toString(run), "talk", "--follow");
        assertThat(again.exitCode()).as("a failed step's stored log: %s", again).isEqualTo(1);
        assertThat(again.out()).isEqualTo("oops\ngiving up\n");
    }

    @Test
    void logs_follow_shows_a_header_when_a_retry_starts() throws IOException {
        Path marker = dir.resolve("flaky-marker");
        apply(server, """
                name: flaky
                steps:
                  - id: flaky
                    kind: command
                    retry: {max_attempts: 2, backoff: 100ms}
                    run: 'sleep 0.5; if [ -f %s ]; then echo second try; else touch %s; echo first try; exit 1; fi'
                """.formatted(marker, marker));
        long run = start(server, "flaky");
        var r = ok("logs", Long.toString(run), "flaky", "--follow");
        assertThat(r.out()).isEqualTo("first try\n==> flaky (attempt 2) <==\nsecond try\n");
        assertThat(r.err()).startsWith("agentry: attempt 1 of step flaky failed (exited with code 1); attempt 2 starts in ");
    }

    @Test
    void logs_follow_needs_a_step_and_names_an_unknown_one() {
        var noStep = client("logs", "1", "--follow");
        assertThat(noStep.exitCode()).as("%s", noStep).isEqualTo(2);
        assertThat(noStep.err()).isEqualTo("agentry: --follow needs a STEP: agentry logs RUN STEP --follow\n");

        long run = finished("greet");
        var unknown = client("logs", Long.toString(run), "nope", "--follow");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("agentry: run " + run + " has no step 'nope'\n");
    }

    @Test
    void attention_list_on_a_workspace_without_items_says_so_and_resolving_an_unknown_item_exits_1() {
        assertThat(ok("attention", "list").out())
                .isEqualTo("no open attention items (agentry attention list --status all shows resolved ones too)\n");
        assertThat(ok("attention", "list", "--status", "all", "--run", "999").out()).isEqualTo("no attention items for run 999\n");
        assertThat(json(ok("attention", "list", "--json").out()).path("items").isArray()).isTrue();

        var unknown = client("attention", "resolve", "999");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("agentry: no attention item 999 in workspace 'default'\n");

        var badStatus = client("attention", "list", "--status", "later");
        assertThat(badStatus.exitCode()).as("%s", badStatus).isEqualTo(1);
        assertThat(badStatus.err()).contains("expected open, resolved or all");
    }

    @Test
    void a_stalled_step_is_listed_for_attention_and_resolved_by_hand() throws IOException {
        var events = new ServerConfig.Events(Duration.ofDays(7), Duration.ofSeconds(60), Duration.ofSeconds(1), 10_000,
                Duration.ofMillis(800), 1 << 20);
        try (var stalling = new TestServer(events)) {
            apply(stalling, "{name: quiet, steps: [{id: hush, kind: command, run: 'sleep 30'}]}");
            long run = start(stalling, "quiet");
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                    .until(() -> !json(ok(stalling, "attention", "list", "--json").out()).path("items").isEmpty());
            JsonNode item = json(ok(stalling, "attention", "list", "--json").out()).path("items").get(0);
            assertThat(item.path("type").asText()).isEqualTo("stalled");
            assertThat(item.path("run").asLong()).isEqualTo(run);
            long id = item.path("id").asLong();

            var table = ok(stalling, "attention", "list").out().lines().toList();
            assertThat(table.get(0)).matches("ID +KIND +STATUS +RUN +STEP +RAISED +SUMMARY");
            assertThat(table.get(1)).matches(id + " +stalled +open +" + run + " +hush +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +step hush of run "
                    + run + " has shown no sign of life for .*");

            var resolved = ok(stalling, "attention", "resolve", Long.toString(id), "--note", "it sleeps on purpose", "--by", "tester");
            assertThat(resolved.out()).isEqualTo("attention item " + id + " resolved (stalled, run " + run + " step hush)\n"
                    + "  it sleeps on purpose (by tester)\n");
            assertThat(ok(stalling, "attention", "list").out()).startsWith("no open attention items");
            assertThat(ok(stalling, "attention", "list", "--status", "resolved").out()).contains(id + " ", " resolved ");
            ok(stalling, "runs", "cancel", Long.toString(run));
        }
    }

    @Test
    void watch_once_draws_the_workspace_in_eighty_columns_with_what_waits_for_a_person() throws Exception {
        apply(server, "{name: gate, steps: [{id: ask, kind: approval, prompt: 'Deploy to production?'}, {id: after, kind: noop, needs: [ask]}]}");
        long run = start(server, "gate");
        await().atMost(PATIENCE).until(() -> ok("runs", "show", Long.toString(run)).out().contains("needs-you"));
        var r = ok("watch", "--once");
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(r.out()).containsPattern(run + " +gate +needs-you +ask⏸ after·")
                .contains("Waiting for you (agentry decisions approve|reject ID):", "Deploy to production?");
        ok("runs", "cancel", Long.toString(run));
    }

    @Test
    void past_retention_an_export_from_a_removed_id_is_refused_and_logs_follow_shows_the_output_still_kept() throws Exception {
        String url = TestDatabase.freshUrl();
        try (var pruned = new TestServer(TestServer.EVENTS, url); var db = Database.open(url, 2)) {
            apply(pruned, "{name: later, steps: [{id: talk, kind: command, run: 'sleep 3; for i in 1 2 3; do echo line $i; sleep 0.3; done'}]}");
            long run = start(pruned, "later");
            await().atMost(PATIENCE).until(() -> ok(pruned, "events", "--run", Long.toString(run)).out().contains("step.started"));
            long last = json(ok(pruned, "events").out().lines().reduce((a, b) -> b).orElseThrow()).path("id").asLong();
            new PostgresEventLog(db, new Signals(), Clock.systemUTC()).prune(Instant.now().plusSeconds(60), 1_000);

            var refused = agentry(against(pruned, "events", "export", "--since", "0"));
            assertThat(refused.exitCode()).as("%s", refused).isEqualTo(1);
            assertThat(refused.err()).startsWith("agentry: the events after 0 are no longer all kept: ");
            assertThat(ok(pruned, "events", "export", "--since", Long.toString(last)).exitCode()).isZero();
            assertThat(ok(pruned, "events", "export").exitCode()).as("without --since: all that is kept").isZero();

            var r = ok(pruned, "logs", Long.toString(run), "talk", "--follow");
            assertThat(r.out()).isEqualTo("line 1\nline 2\nline 3\n");
        }
    }
}
