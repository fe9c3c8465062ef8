package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.ConfigLoader;
import dev.agentry.server.Main;
import dev.agentry.server.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The real {@code agentry} commands, run in this JVM against a real server: what they print, on which
 * stream, and with which exit code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a `run --wait` may take before the test fails with exit 4 instead of hanging. */
    private static final String WAIT = "20s";

    @TempDir static Path dir;
    TestServer server;

    /** What one command did. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long id() {
            return Long.parseLong(out.strip());
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    @BeforeAll
    void start() throws IOException {
        server = new TestServer();
        apply("""
                name: greet
                inputs:
                  who: {required: true}
                steps:
                  - id: say
                    kind: command
                    run: echo "hello {{ inputs.who }}"
                  - {id: done, kind: noop, needs: [say]}
                """);
        apply("{name: fails, steps: [{id: boom, kind: command, run: 'echo going down; exit 3'}]}");
        apply("{name: gate, steps: [{id: ask, kind: approval, prompt: 'Go on?'}, {id: after, kind: noop, needs: [ask]}]}");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Runs {@code agentry ARGS} as the executable would, with its output captured. */
    static Result agentry(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a client command against the test server. */
    Result client(String... args) {
        return agentry(Stream.concat(Stream.of(args), Stream.of("--url", server.url, "--token", TestServer.ADMIN_TOKEN))
                .toArray(String[]::new));
    }

    /** Runs a client command that must succeed. */
    Result ok(String... args) {
        var r = client(args);
        assertThat(r.exitCode()).as("agentry %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    private void apply(String definition) throws IOException {
        Path file = Files.createTempFile(dir, "pipeline", ".yaml");
        Files.writeString(file, definition);
        ok("pipelines", "apply", "-f", file.toString());
    }

    private JsonNode awaitRun(long id, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ok("runs", "show", Long.toString(id), "--json").json().path("status").asText(), status::equals);
        return ok("runs", "show", Long.toString(id), "--json").json();
    }

    private long pendingDecision(long run) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> decisionOf(run) != null);
        return decisionOf(run).path("id").asLong();
    }

    private JsonNode decisionOf(long run) {
        for (JsonNode d : ok("decisions", "list", "--json").json().path("items")) {
            if (d.path("run").asLong() == run) {
                return d;
            }
        }
        return null;
    }

    @Test
    void a_definition_applied_from_a_file_is_listed_and_shown() throws IOException {
        Path file = dir.resolve("shown.yaml");
        Files.writeString(file, """
                name: shown
                description: Shown by the CLI test.
                steps:
                  - {id: first, kind: noop}
                  - {id: second, kind: command, needs: [first], run: echo two}
                """);
        assertThat(ok("pipelines", "apply", "-f", file.toString()).out()).isEqualTo("applied shown version 1\n");
        assertThat(ok("pipelines", "apply", "-f", file.toString()).out()).isEqualTo("unchanged shown version 1\n");

        var list = ok("pipelines", "list").out().lines().toList();
        assertThat(list.get(0)).startsWith("NAME").contains("VERSION", "STEPS", "APPLIED", "DESCRIPTION");
        assertThat(list).anySatisfy(line -> assertThat(line).startsWith("shown ").contains(" 1 ", " 2 ", "Shown by the CLI test."));

        var show = ok("pipelines", "show", "shown").out();
        assertThat(show).startsWith("shown version 1  (applied ");
        assertThat(show.lines()).anySatisfy(line -> assertThat(line).matches("second +command +first +success"));
        assertThat(show).endsWith(Files.readString(file));
        assertThat(ok("pipelines", "show", "shown", "--version", "1", "--json").json().path("version").asInt()).isEqualTo(1);
    }

    @Test
    void applying_a_missing_file_is_bad_usage_and_an_invalid_definition_is_refused_with_its_problems() throws IOException {
        var missing = client("pipelines", "apply", "-f", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(2);
        assertThat(missing.err()).startsWith("agentry: no such file: ");
        var directory = client("pipelines", "apply", "-f", dir.toString());
        assertThat(directory.exitCode()).as("%s", directory).isEqualTo(2);
        assertThat(directory.err()).startsWith("agentry: cannot read " + dir + ": ");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        var notUtf8 = client("pipelines", "apply", "-f", latin1.toString());
        assertThat(notUtf8.exitCode()).as("%s", notUtf8).isEqualTo(2);
        assertThat(notUtf8.err()).isEqualTo("agentry: " + latin1 + " is not UTF-8 text\n");

        Path file = dir.resolve("invalid.yaml");
        Files.writeString(file, "name: invalid\nsteps: [{id: a, kind: shell}]\n");
        var invalid = client("pipelines", "apply", "-f", file.toString());
        assertThat(invalid.exitCode()).as("%s", invalid).isEqualTo(1);
        assertThat(invalid.err()).startsWith("agentry: ").contains("unknown kind 'shell'");
    }

    @Test
    void run_prints_only_the_new_runs_id_or_with_json_the_run() {
        var plain = ok("run", "greet", "--input", "who=ana");
        assertThat(plain.out()).matches("\\d+\n");
        assertThat(plain.err()).isEmpty();
        assertThat(awaitRun(plain.id(), "succeeded").path("inputs").path("who").asText()).isEqualTo("ana");

        var json = ok("run", "greet", "-i", "who=a=b", "--json").json();
        assertThat(json.path("id").asLong()).isGreaterThan(plain.id());
        assertThat(json.path("pipeline").asText()).isEqualTo("greet");
        assertThat(json.path("inputs").path("who").asText()).as("the value is everything after the first =").isEqualTo("a=b");
    }

    @Test
    void run_with_an_idempotency_key_twice_returns_the_first_run() {
        long first = ok("run", "greet", "-i", "who=once", "--idempotency-key", "cli-once").id();
        assertThat(ok("run", "greet", "-i", "who=once", "--idempotency-key", "cli-once").id()).isEqualTo(first);
    }

    @Test
    void run_wait_exits_0_when_the_run_succeeds_and_prints_it() {
        var r = ok("run", "greet", "-i", "who=bo", "--wait", "--timeout", WAIT);
        assertThat(r.out()).matches("(?s)run \\d+  greet@1  succeeded\nSTEP .*");
        assertThat(r.out().lines()).anySatisfy(line -> assertThat(line).matches("say +command +succeeded +1 .*"));
        assertThat(r.err()).contains(" succeeded\n");
    }

    @Test
    void run_wait_exits_1_when_the_run_fails() {
        var r = client("run", "fails", "--wait", "--timeout", WAIT);
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).contains("failed").contains("exited with code 3");

        var json = client("run", "fails", "--wait", "--timeout", WAIT, "--json");
        assertThat(json.exitCode()).as("%s", json).isEqualTo(1);
        assertThat(json.json().path("status").asText()).isEqualTo("failed");
        assertThat(json.err()).as("--json keeps progress off stderr").isEmpty();
    }

    @Test
    void run_wait_with_a_timeout_exits_4_naming_the_limit_as_written_and_the_decision_it_waits_on() {
        var r = client("run", "gate", "--wait", "--timeout", "1s");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(4);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).containsPattern("step ask waits on decision \\d+: agentry decisions approve \\d+")
                .containsPattern("agentry: run \\d+ is still needs-you after 1s\n");
    }

    @Test
    void decisions_are_listed_and_answered() {
        long approved = ok("run", "gate").id();
        long decision = pendingDecision(approved);
        var list = ok("decisions", "list").out().lines().toList();
        assertThat(list.get(0)).startsWith("DECISION").contains("RUN", "STEP", "STATUS", "DEADLINE", "PROMPT");
        assertThat(list).anySatisfy(line -> assertThat(line).matches(decision + " +" + approved + " +gate/ask +pending +- +Go on\\?"));

        assertThat(ok("decisions", "approve", Long.toString(decision), "-m", "fine by me").out())
                .isEqualTo("decision " + decision + " approved (run " + approved + ")\n");
        assertThat(awaitRun(approved, "succeeded").path("steps").findValuesAsText("id")).contains("ask", "after");
        assertThat(ok("decisions", "list", "--status", "approved", "--json").json().path("items").findValues("id"))
                .extracting(JsonNode::asLong).contains(decision);

        var again = client("decisions", "approve", Long.toString(decision));
        assertThat(again.exitCode()).as("%s", again).isEqualTo(1);
        assertThat(again.err()).startsWith("agentry: ");

        long rejected = ok("run", "gate").id();
        long other = pendingDecision(rejected);
        assertThat(ok("decisions", "reject", Long.toString(other), "-m", "no", "--by", "tester").out())
                .isEqualTo("decision " + other + " rejected (run " + rejected + ")\n");
        awaitRun(rejected, "failed");
    }

    @Test
    void runs_are_listed_by_status_shown_canceled_retried_and_rerun() {
        long failed = client("run", "fails", "--wait", "--timeout", WAIT, "--json").json().path("id").asLong();
        long waiting = ok("run", "gate").id();
        awaitRun(waiting, "needs-you");

        var failedList = ok("runs", "list", "--status", "failed", "--limit", "500").out().lines().toList();
        assertThat(failedList.get(0)).matches("RUN +PIPELINE +STATUS +CREATED +FINISHED");
        assertThat(failedList).anySatisfy(line -> assertThat(line).startsWith(failed + " ").contains("fails@1", "failed"));
        assertThat(failedList.subList(1, failedList.size())).allSatisfy(line -> assertThat(line).contains(" failed "));
        assertThat(ok("runs", "list", "--status", "needs-you", "--pipeline", "gate", "--json").json().path("items").findValues("id"))
                .extracting(JsonNode::asLong).contains(waiting).doesNotContain(failed);
        assertThat(ok("runs", "list", "--limit", "1").out()).containsPattern("more: --cursor \\S+\n$");

        var show = ok("runs", "show", Long.toString(failed)).out();
        assertThat(show).startsWith("run " + failed + "  fails@1  failed\nerror: ");
        assertThat(show.lines()).anySatisfy(line -> assertThat(line).matches("boom +command +failed +1 .* exited with code 3"));

        assertThat(ok("runs", "cancel", Long.toString(waiting)).out()).isEqualTo("canceled run " + waiting + " (canceled)\n");
        var cancelAgain = client("runs", "cancel", Long.toString(waiting));
        assertThat(cancelAgain.exitCode()).as("%s", cancelAgain).isEqualTo(1);
        assertThat(cancelAgain.out()).isEmpty();
        assertThat(cancelAgain.err()).startsWith("agentry: ").contains("canceled").endsWith("\n");

        assertThat(ok("runs", "retry", Long.toString(failed)).out()).startsWith("retrying run " + failed + " (");
        awaitRun(failed, "failed");

        long source = ok("run", "greet", "-i", "who=cy").id();
        awaitRun(source, "succeeded");
        var rerun = ok("runs", "rerun", Long.toString(source), "--from", "done");
        assertThat(rerun.out()).matches("\\d+\n");
        var copy = awaitRun(rerun.id(), "succeeded");
        assertThat(copy.path("rerunOf").asLong()).isEqualTo(source);
        assertThat(copy.path("inputs").path("who").asText()).isEqualTo("cy");

        var missing = client("runs", "show", "999999999");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
        assertThat(missing.err()).startsWith("agentry: ");
    }

    @Test
    void agent_kinds_are_listed_and_budgets_are_set_and_shown() {
        var agents = ok("agents");
        assertThat(agents.out()).contains("coder", "harness", "architect", "inline")
                .contains("no model provider is configured");
        assertThat(ok("budget", "5").out()).contains("workspace budget: $0 spent of $5");
        assertThat(ok("budget", "--account", "default", "200", "--override-until", "2030-01-01T00:00:00Z").out())
                .contains("account budget: $0 spent of $200");
        assertThat(ok("spend").out()).contains("workspace  $0 of $5").contains("account    $0 of $200");
        assertThat(client("budget", "lots").exitCode()).isEqualTo(2);
        assertThat(client("budget", "--account", "nobody", "5").exitCode()).isEqualTo(1);
        assertThat(ok("budget", "none").out()).contains("workspace budget: $0 spent");
        server.post("/api/workspaces/default/pipelines", "name: planned\nsteps:\n  - id: plan\n    kind: agent\n    agent: architect\n    prompt: plan\n    model: claude-sonnet-4-5\n");
        assertThat(ok("spend", "--estimate", "planned").out()).contains("plan", "architect", "typical tokens").contains("planned@1: about $");
        ok("budget", "--account", "default", "none");
    }

    @Test
    void logs_prints_a_steps_output() {
        long run = ok("run", "greet", "-i", "who=dee").id();
        awaitRun(run, "succeeded");
        assertThat(ok("logs", Long.toString(run), "say").out()).isEqualTo("hello dee\n");
        assertThat(ok("logs", Long.toString(run)).out()).contains("==> say (attempt 1, succeeded) <==\nhello dee\n");
        assertThat(ok("logs", Long.toString(run), "say", "--json").json().path("items").get(0).path("log").asText()).isEqualTo("hello dee\n");
    }

    @Test
    void an_unreachable_server_exits_3_saying_how_to_point_at_one() {
        var r = agentry("runs", "list", "--url", "http://127.0.0.1:1");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("agentry: cannot reach the Agentry server at http://127.0.0.1:1 ")
                .contains("agentry serve", "--url", "AGENTRY_URL");
    }

    @Test
    void a_malformed_server_url_exits_2_without_a_stack_trace() {
        for (String url : List.of("foo", "127.0.0.1:7070", "ftp://127.0.0.1", "http://", "http://127.0.0.1:99999", "http://a b", "")) {
            var r = agentry("runs", "list", "--url", url);
            assertThat(r.exitCode()).as("--url '%s': %s", url, r).isEqualTo(2);
            assertThat(r.err()).as("--url '%s'", url).isEqualTo("agentry: not a valid server URL: '" + url
                    + "' (expected one like http://127.0.0.1:7070)\n");
        }
        var slash = agentry("runs", "list", "--url", server.url + "/", "--token", TestServer.ADMIN_TOKEN);
        assertThat(slash.exitCode()).as("a trailing slash is fine: %s", slash).isZero();
    }

    @Test
    void bad_usage_exits_2() {
        var unknown = client("runs", "list", "--bogus");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'").contains("Usage: agentry runs list");

        var noValue = client("run", "greet", "--input", "novalue");
        assertThat(noValue.exitCode()).as("%s", noValue).isEqualTo(2);
        assertThat(noValue.err()).isEqualTo("agentry: --input expects NAME=VALUE, got 'novalue'\n");

        var badTimeout = client("run", "greet", "-i", "who=x", "--wait", "--timeout", "soon");
        assertThat(badTimeout.exitCode()).as("%s", badTimeout).isEqualTo(2);
        assertThat(badTimeout.err()).contains("--timeout expects a duration");

        for (var args : List.of(new String[] {"run"}, new String[] {"runs", "show", "seven"}, new String[] {"runs", "rerun", "1"},
                new String[] {"xyzzy"}, new String[] {}, new String[] {"runs"})) {
            var r = agentry(args);
            assertThat(r.exitCode()).as("agentry %s: %s", String.join(" ", args), r).isEqualTo(2);
            assertThat(r.err()).as("agentry %s", String.join(" ", args)).contains("Usage: agentry").doesNotContain("Exception");
        }
    }

    @Test
    void every_command_answers_help_and_agentry_its_version() {
        var version = agentry("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).isEqualTo("agentry 0.1.0\n");
        assertThat(agentry("-V").out()).isEqualTo("agentry 0.1.0\n");

        var paths = new ArrayList<List<String>>();
        collect(new CommandLine(new Main()), List.of(), paths);
        assertThat(paths).contains(List.of(), List.of("serve"), List.of("runs", "rerun"), List.of("decisions", "approve"), List.of("help"));
        for (var path : paths) {
            for (String option : List.of("--help", "-h")) {
                var args = Stream.concat(path.stream(), Stream.of(option)).toArray(String[]::new);
                var r = agentry(args);
                assertThat(r.exitCode()).as("agentry %s: %s", String.join(" ", args), r).isZero();
                assertThat(r.out()).as("agentry %s", String.join(" ", args))
                        .contains("Usage: " + String.join(" ", Stream.concat(Stream.of("agentry"), path.stream()).toList()));
            }
        }
        assertThat(agentry("help", "serve").out()).startsWith("Usage: agentry serve");
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            var subPath = new ArrayList<>(path);
            subPath.add(name);
            collect(sub, subPath, paths);
        });
    }

    @Test
    void serve_has_a_kebab_case_flag_for_every_setting_and_passes_them_on_by_setting_name() {
        var agentry = new CommandLine(new Main());
        var serve = agentry.getSubcommands().get("serve");
        var args = new ArrayList<String>(List.of("serve"));
        for (String setting : ConfigLoader.SETTINGS.keySet()) {
            String flag = "--" + setting.replace('_', '-');
            assertThat(serve.getCommandSpec().findOption(flag)).as("serve %s", flag).isNotNull();
            args.add(flag + "=value-of-" + setting);
        }
        agentry.parseArgs(args.toArray(String[]::new));
        var flags = serve.<ServeCommand>getCommand().flags();
        assertThat(flags.keySet()).containsExactlyElementsOf(ConfigLoader.SETTINGS.keySet());
        flags.forEach((setting, value) -> assertThat(value).isEqualTo("value-of-" + setting));

        agentry.parseArgs("serve", "--max-body", "2048");
        assertThat(serve.<ServeCommand>getCommand().flags()).as("only the flags given").containsExactly(Map.entry("max_body", "2048"));
    }

    @Test
    void the_cli_reference_lists_every_option_of_serve() throws IOException {
        Path doc = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(doc.resolve("docs/cli.md"))) {
            doc = doc.getParent();
            assertThat(doc).as("a docs/cli.md above the working directory").isNotNull();
        }
        String text = Files.readString(doc.resolve("docs/cli.md"));
        var serve = new CommandLine(new Main()).getSubcommands().get("serve").getCommandSpec();
        var undocumented = serve.options().stream().filter(o -> !o.usageHelp())
                .map(o -> "`" + o.longestName() + " " + o.paramLabel() + "`")
                .filter(row -> !text.contains(row)).toList();
        assertThat(undocumented).as("serve options missing from docs/cli.md").isEmpty();
    }

    @Test
    void serve_with_bad_flags_exits_2_naming_every_bad_setting() {
        var r = agentry("serve", "--home", dir.resolve("serve-home").toString(), "--port", "70000", "--max-body", "1",
                "--log-bytes", "many", "--db-pool-size", "1", "--lease", "soon");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).startsWith("agentry: bad configuration:\n")
                .contains("  port: expected a whole number from 0 to 65535, got 70000\n", "  max_body: ", "  log_bytes: ",
                        "  db_pool_size: ", "  lease: ");
        assertThat(r.out()).isEmpty();
    }
}
