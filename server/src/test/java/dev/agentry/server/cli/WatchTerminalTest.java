package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentry watch} as a person sees it: the real executable in its own JVM, in a real pseudo-terminal of
 * 80×30 (a detached tmux session on a socket of its own), against a real server; the test reads the screen
 * with {@code tmux capture-pane}. Each test has a workspace of its own on the one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchTerminalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int COLUMNS = 80;
    private static final int ROWS = 30;
    /** The first line of the view: the clock, the counts, the workspace and the log position. */
    private static final Pattern HEADER = Pattern.compile("\\d\\d:\\d\\d:\\d\\d  \\d+ in flight, \\d+ waiting for you, \\d+ attention  \\[.*");

    @TempDir Path dir;
    TestServer server;
    Terminal terminal;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(Terminal.tmuxInstalled(),
                "tmux is not installed, so agentry watch cannot be driven in a terminal; bin/install-test-tools installs it");
        server = new TestServer();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeTerminal() {
        if (terminal != null) {
            terminal.close();
            terminal = null;
        }
    }

    @Test
    void a_run_is_followed_live_through_its_steps_and_its_decision_and_ctrl_c_ends_the_watch() throws Exception {
        String ws = workspace("watched");
        Path gate = dir.resolve("build-may-finish");
        apply(ws, """
                name: ship
                inputs:
                  what: {default: something}
                steps:
                  - id: build
                    kind: command
                    run: "while [ ! -e '%s' ]; do sleep 0.05; done"
                  - {id: approve, kind: approval, prompt: "Ship {{ inputs.what }} to production?", needs: [build]}
                  - {id: deploy, kind: command, run: echo deployed, needs: [approve]}
                """.formatted(gate));
        terminal = Terminal.watch(dir, server.url, ws);

        var empty = terminal.awaitScreen(s -> assertThat(s).contains("Nothing in flight. Start a run: agentry run PIPELINE"));
        assertThat(empty.get(0)).contains(" 0 in flight, 0 waiting for you, 0 attention  [watched, log ");

        long run = startRun(ws, "ship", "{\"what\": \"release 7\"}");
        terminal.awaitScreen(s -> assertThat(s).as("every step shows from the start, the first one running")
                .containsPattern("(?m)^" + run + " +ship +running +build▶ approve· deploy·$"));

        Files.createFile(gate);
        long decision = pendingDecision(ws, run);
        var waiting = terminal.awaitScreen(s -> assertThat(s)
                .containsPattern("(?m)^" + run + " +ship +needs-you +build✓ approve⏸ deploy·$")
                .contains("Waiting for you (agentry decisions approve|reject ID):")
                .containsPattern("(?m)^  #" + decision + " +run " + run + " approve: Ship release 7 to production\\?$"));
        assertThat(waiting.get(0)).contains(" 1 in flight, 1 waiting for you, 0 attention");

        var approved = server.post("/api/workspaces/" + ws + "/decisions/" + decision + "/approve", "{}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        var done = terminal.awaitScreen(s -> assertThat(s)
                .containsPattern("(?m)^" + run + " +ship +succeeded +build✓ approve✓ deploy✓$")
                .doesNotContain("Waiting for you", "Ship release 7"));
        assertThat(done.get(0)).contains(" 0 in flight, 0 waiting for you, 0 attention");

        assertThat(terminal.history()).as("the whole session, scrollback included: one view, redrawn in place")
                .filteredOn(line -> HEADER.matcher(line).matches()).hasSize(1);

        terminal.keys("C-c");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(terminal.ended())
                .as("Ctrl-C ends the watch as a success and leaves the cursor at the start of a line:\n%s",
                        String.join("\n", terminal.history())).isEqualTo("[watch ended: exit 0]"));
    }

    @Test
    void what_runs_bring_to_the_screen_stays_inside_eighty_columns_and_cannot_steer_the_terminal() throws Exception {
        String ws = workspace("a-workspace-whose-name-is-long-enough-to-crowd-the-header");
        apply(ws, """
                name: a-pipeline-with-a-rather-long-name
                inputs:
                  question: {required: true}
                steps:
                  - {id: first-of-many-steps, kind: noop}
                  - {id: second-of-many-steps, kind: noop}
                  - {id: third-of-many-steps, kind: noop}
                  - {id: fourth-of-many-steps, kind: noop}
                  - {id: ask, kind: approval, prompt: "{{ inputs.question }}",
                     needs: [first-of-many-steps, second-of-many-steps, third-of-many-steps, fourth-of-many-steps]}
                """);
        terminal = Terminal.watch(dir, server.url, ws);
        terminal.awaitScreen(s -> assertThat(s).contains("Nothing in flight."));

        // Wide characters take two columns each: 40 of them are the whole width.
        long wide = startRun(ws, "a-pipeline-with-a-rather-long-name", "{\"question\": \"" + "本番環境にデプロイしますか".repeat(4) + "\"}");
        // Control characters in a prompt would be the terminal's commands: clear the screen, retitle the pane.
        long steering = startRun(ws, "a-pipeline-with-a-rather-long-name",
                "{\"question\": \"ok\\u001b[2J\\u001b[H\\u001b]2;pwned\\u0007 then\\ta tab\"}");
        long wideDecision = pendingDecision(ws, wide);
        long steeringDecision = pendingDecision(ws, steering);
        var screen = terminal.awaitScreen(s -> assertThat(s)
                .containsPattern("(?m)^" + wide + " +a-pipeline-with… +needs-you +first-of-many-steps✓ second-of-many-steps✓ .*…$")
                .containsPattern("(?m)^  #" + wideDecision + " +run " + wide + " ask: 本番環境にデプロイしますか.*…$")
                .containsPattern("(?m)^  #" + steeringDecision + " +run " + steering + " ask: ok.*pwned.* then a tab$"));
        assertThat(screen.get(0)).as("the log position stays; the workspace's name is cut").matches(".*  \\[a-workspace-w.*…, log \\d+\\]");
        assertThat(terminal.paneTitle()).doesNotContain("pwned");
    }

    @Test
    void more_runs_than_the_terminal_has_rows_are_summed_up_and_what_waits_for_a_person_stays_in_view() throws Exception {
        String ws = workspace("crowded");
        apply(ws, "{name: hold, steps: [{id: ask, kind: approval, prompt: 'Let it go?'}]}");
        terminal = Terminal.watch(dir, server.url, ws);
        terminal.awaitScreen(s -> assertThat(s).contains("Nothing in flight."));

        var runs = new ArrayList<Long>();
        for (int i = 0; i < 30; i++) {
            runs.add(startRun(ws, "hold", "{}"));
        }
        var crowded = terminal.awaitScreen(s -> assertThat(s).contains(" 30 in flight, 30 waiting for you, 0 attention")
                .containsPattern("(?m)^… and \\d+ more in flight: agentry runs list$")
                .contains("Waiting for you (agentry decisions approve|reject ID):")
                .containsPattern("(?m)^  #\\d+ +run " + runs.get(0) + " ask: Let it go\\?$")
                .containsPattern("(?m)^  … and 25 more: agentry decisions list$"));
        assertThat(crowded.subList(FleetView.HEIGHT, ROWS)).as("the view fits a terminal of 80×24, its cursor under it")
                .allSatisfy(line -> assertThat(line).isEmpty());

        for (long run : runs) {
            var r = server.post("/api/workspaces/" + ws + "/runs/" + run + "/cancel", "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        terminal.awaitScreen(s -> assertThat(s).contains(" 0 in flight, 0 waiting for you, 0 attention")
                .containsPattern("(?m)^" + runs.get(29) + " +hold +canceled +ask-$")
                .as("what the longer view showed is gone").doesNotContain("more", "Waiting for you"));
        assertThat(terminal.history()).filteredOn(line -> HEADER.matcher(line).matches()).hasSize(1);
    }

    @Test
    void the_clock_goes_on_while_nothing_happens_and_a_lost_server_is_said_under_the_header() throws Exception {
        try (var leaving = new TestServer()) {
            terminal = Terminal.watch(dir, leaving.url, "default");
            var quiet = terminal.awaitScreen(s -> assertThat(s).contains("Nothing in flight."));
            String shown = clock(quiet);
            terminal.awaitScreen(s -> assertThat(clock(List.of(s.split("\n")))).as("the clock, with no event").isNotEqualTo(shown));

            leaving.close();
            var lost = terminal.awaitScreen(s -> assertThat(s.split("\n")[1]).startsWith("! lost the event stream ("));
            String then = clock(lost);
            terminal.awaitScreen(s -> assertThat(clock(List.of(s.split("\n")))).isNotEqualTo(then));
        }
    }

    private static String clock(List<String> screen) {
        return screen.get(0).substring(0, 8);
    }

    // ---------------------------------------------------------------------------------------------------------

    private String workspace(String name) {
        var r = server.post("/api/accounts/default/workspaces", "{\"name\": \"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return name;
    }

    private void apply(String ws, String definition) {
        var r = server.post("/api/workspaces/" + ws + "/pipelines", definition, "application/yaml");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    private long startRun(String ws, String pipeline, String inputs) {
        var r = server.post("/api/workspaces/" + ws + "/runs", "{\"pipeline\": \"" + pipeline + "\", \"inputs\": " + inputs + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r.body()).path("id").asLong();
    }

    private long pendingDecision(String ws, long run) {
        return await().atMost(PATIENCE).until(() -> {
            for (JsonNode step : json(server.get("/api/workspaces/" + ws + "/runs/" + run).body()).path("steps")) {
                if (step.path("decision").asLong() > 0) {
                    return step.path("decision").asLong();
                }
            }
            return 0L;
        }, id -> id > 0);
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a test expects of the screen, given as its rows joined by line breaks. */
    interface ScreenCheck {
        void check(String screen);
    }

    /**
     * A detached tmux session of {@value COLUMNS}×{@value ROWS} running {@code agentry watch} from this test's
     * classpath, on a tmux server of its own (its own socket, no configuration but ours), so that it never meets
     * a person's tmux.
     */
    static final class Terminal implements AutoCloseable {
        private final String socket = "agentry-watch-test-" + UUID.randomUUID().toString().substring(0, 8);
        /** The socket's file, which tmux leaves behind when its server ends. */
        private Path socketPath;

        static boolean tmuxInstalled() {
            try {
                return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Starts {@code agentry watch -w WORKSPACE}, which finds the server's URL and its token in the environment. */
        static Terminal watch(Path dir, String url, String workspace) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            var command = List.of(java, "-cp", classpath, "dev.agentry.server.Main", "watch", "-w", workspace);
            // The classpath is longer than a tmux command may be, so the session runs a script that runs the JVM. The
            // script's shell outlives the watch to say how it ended, on the screen: tmux itself does not always learn
            // the exit status of a pane's process. It traps Ctrl-C rather than ignore it, which the JVM would inherit.
            Path script = Files.writeString(dir.resolve("watch-" + workspace + ".sh"), """
                    trap true INT
                    %s
                    echo "[watch ended: exit $?]"
                    """.formatted(String.join(" ", command.stream().map(Terminal::quoted).toList())));
            Path config = Files.writeString(dir.resolve("tmux-" + workspace + ".conf"), """
                    set -g status off
                    set -g remain-on-exit on
                    """); // the screen stays readable after the script ends
            var terminal = new Terminal();
            terminal.tmux(Map.of("AGENTRY_URL", url, "AGENTRY_TOKEN", TestServer.ADMIN_TOKEN, "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8"),
                    "-f", config.toString(), "new-session", "-d", "-x", Integer.toString(COLUMNS), "-y", Integer.toString(ROWS),
                    "-s", "watch", "sh " + quoted(script.toString()));
            terminal.socketPath = Path.of(terminal.tmux(Map.of(), "display-message", "-p", "#{socket_path}").strip());
            return terminal;
        }

        private static String quoted(String word) {
            assertThat(word).doesNotContain("'");
            return "'" + word + "'";
        }

        /** Waits until the screen passes {@code check}, checking on every screen read what holds on all of them. */
        List<String> awaitScreen(ScreenCheck check) {
            var last = new ArrayList<List<String>>(List.of(List.of()));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                var screen = screen();
                last.set(0, screen);
                check.check(String.join("\n", screen));
            });
            return last.get(0);
        }

        /**
         * The visible screen, after checking that the view is in place on it: the header on the first line and
         * nowhere else, and no line wider than the terminal (tmux, which wraps a line too wide for it by its own
         * idea of each character's width, joins such lines again with {@code -J}).
         */
        List<String> screen() {
            var screen = capture();
            var joined = capture("-J");
            String shown = "\n" + String.join("\n", screen);
            assertThat(joined).as("no line wrapped:%s", shown).isEqualTo(screen);
            assertThat(screen).as("the terminal's rows:%s", shown).hasSize(ROWS);
            assertThat(screen).as("no line wider than the terminal:%s", shown)
                    .allSatisfy(line -> assertThat(line.codePointCount(0, line.length())).isLessThanOrEqualTo(COLUMNS));
            if (!String.join("", screen).isBlank()) {
                assertThat(screen.get(0)).as("the header on the first line:%s", shown).matches(HEADER);
                assertThat(screen).as("one header:%s", shown).filteredOn(line -> HEADER.matcher(line).matches()).hasSize(1);
            }
            return screen;
        }

        /** Everything the session showed, the scrollback first. */
        List<String> history() {
            return capture("-S", "-");
        }

        private List<String> capture(String... options) {
            var args = new ArrayList<>(List.of("capture-pane", "-p", "-t", "watch"));
            args.addAll(List.of(options));
            return tmux(Map.of(), args.toArray(String[]::new)).lines().map(String::stripTrailing).toList();
        }

        String paneTitle() {
            return tmux(Map.of(), "display-message", "-p", "-t", "watch", "#{pane_title}").strip();
        }

        void keys(String keys) {
            tmux(Map.of(), "send-keys", "-t", "watch", keys);
        }

        /** The line the script prints when the watch has ended ("[watch ended: exit 0]"); null while it runs. */
        String ended() {
            return capture().stream().filter(line -> line.contains("[watch ended: ")).findFirst().orElse(null);
        }

        private String tmux(Map<String, String> env, String... args) {
            var command = new ArrayList<>(List.of("tmux", "-L", socket));
            command.addAll(List.of(args));
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().remove("TMUX"); // a test run inside tmux still gets a server of its own
            builder.environment().putAll(env);
            try {
                Process p = builder.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            try {
                new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
                if (socketPath != null) {
                    Files.deleteIfExists(socketPath);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
