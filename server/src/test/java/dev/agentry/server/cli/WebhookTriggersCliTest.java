package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.http.ApiJson;
import dev.agentry.server.http.TriggerApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/** {@code agentry triggers ...} against the trigger routes on a real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookTriggersCliTest {
    TriggerApp app;

    record Result(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return ApiJson.MAPPER.readTree(out);
        }
    }

    @BeforeAll
    void start() {
        app = new TriggerApp();
        app.engine.apply("default", """
                name: fix-issue
                inputs:
                  task: {required: true}
                  number: {required: false}
                steps:
                  - {id: work, kind: noop}
                """, null);
    }

    @AfterAll
    void stop() {
        app.close();
    }

    Result triggers(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = new CommandLine(new TriggersCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(Stream.concat(Stream.of(args), Stream.of("--url", app.url)).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void a_trigger_added_from_the_command_line_maps_its_inputs_and_says_where_to_deliver() throws Exception {
        var added = triggers("add", "cli-issues", "--pipeline", "fix-issue", "--format", "github", "--secret", "hook-secret",
                "--input", "task=$.issue.title", "--input", "number=#{{ $.issue.number }}", "--event", "issues.opened");

        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).contains("trigger cli-issues saved").contains("issues.opened")
                .contains("deliver to: " + app.url + "/hooks/default/cli-issues");
        var shown = triggers("show", "cli-issues", "--json").json();
        assertThat(shown.path("inputs").path("task").asText()).isEqualTo("$.issue.title");
        assertThat(shown.path("inputs").path("number").asText()).isEqualTo("#{{ $.issue.number }}");
        assertThat(shown.path("events").get(0).asText()).isEqualTo("issues.opened");
        assertThat(shown.path("enabled").asBoolean()).isTrue();
    }

    @Test
    void triggers_are_listed_in_a_table() {
        triggers("add", "cli-listed", "--pipeline", "fix-issue", "--format", "generic", "--secret", "hook-secret",
                "--input", "task=$.title", "--disabled");

        var list = triggers("list");

        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("NAME").contains("HOOK");
        assertThat(list.out().lines().filter(l -> l.startsWith("cli-listed")).findFirst().orElseThrow())
                .contains("fix-issue").contains("generic").contains("every event").contains("no");
    }

    @Test
    void a_removed_trigger_is_gone_and_removing_it_again_fails() {
        triggers("add", "cli-removed", "--pipeline", "fix-issue", "--format", "github", "--secret", "hook-secret",
                "--input", "task=$.issue.title");

        assertThat(triggers("rm", "cli-removed").out()).contains("trigger cli-removed removed");
        var again = triggers("rm", "cli-removed");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("no trigger 'cli-removed'");
    }

    @Test
    void an_invalid_jsonpath_is_reported_naming_the_input() {
        var r = triggers("add", "cli-bad", "--pipeline", "fix-issue", "--format", "github", "--secret", "hook-secret",
                "--input", "task=$.issue[0");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("inputs.task").contains("$.issue[0");
    }

    @Test
    void the_required_options_are_named_when_missing() {
        var r = triggers("add", "cli-incomplete", "--pipeline", "fix-issue");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--format").contains("--secret");
    }
}
