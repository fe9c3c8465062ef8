package dev.agentry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateTest {
    private static final String HOSTILE = "x\"; touch pwned; echo \"$(touch pwned2)` touch pwned3 `'; $HOME \\";

    private static Template.Context context(Map<String, String> inputs) {
        return new Template.Context(42, "deploy", inputs, Map.of("build", Map.of("version", "1.2.3")));
    }

    @Test
    void references_are_found_and_anything_else_in_braces_is_a_problem() {
        var problems = new ArrayList<Problem>();
        var refs = Template.references("{{ inputs.who }} {{steps.build.outputs.image.tag}} {{ run.id }} {{ run.pipeline }} {{ env.HOME }}",
                "steps[0].run", problems);
        assertThat(refs).containsExactly(
                new Template.Reference.Input("inputs.who", "who"),
                new Template.Reference.StepOutput("steps.build.outputs.image.tag", "build", "image.tag"),
                new Template.Reference.RunField("run.id", "id"),
                new Template.Reference.RunField("run.pipeline", "pipeline"));
        assertThat(problems).containsExactly(new Problem("steps[0].run",
                "'{{ env.HOME }}' is not a reference; expected inputs.NAME, steps.STEP.outputs.KEY, run.id, run.pipeline or secrets.NAME"));
    }

    @Test
    void render_replaces_references_with_their_values_literally() {
        String text = "{{ run.pipeline }}#{{ run.id }} ships {{ steps.build.outputs.version }} to {{inputs.target}}";
        assertThat(Template.render(text, context(Map.of("target", "$1 \\prod")))).isEqualTo("deploy#42 ships 1.2.3 to $1 \\prod");
    }

    @Test
    void a_reference_without_a_value_renders_empty() {
        assertThat(Template.render("[{{ steps.build.outputs.missing }}][{{ inputs.absent }}]", context(Map.of()))).isEqualTo("[][]");
    }

    @Test
    void text_without_references_is_left_alone() {
        assertThat(Template.render("echo ${HOME} {not} {{ unclosed", context(Map.of()))).isEqualTo("echo ${HOME} {not} {{ unclosed");
    }

    @Test
    void shell_rendering_keeps_values_out_of_the_command_text() {
        var shell = Template.renderForShell("echo \"{{ inputs.name }}\" && echo \"{{inputs.name}}\" {{ steps.build.outputs.version }}",
                context(Map.of("name", HOSTILE)));
        assertThat(shell.script()).isEqualTo("echo \"${AGENTRY_VALUE_0}\" && echo \"${AGENTRY_VALUE_0}\" ${AGENTRY_VALUE_1}");
        assertThat(shell.script()).doesNotContain("touch").doesNotContain("pwned");
        assertThat(shell.variables()).containsExactly(
                Map.entry("AGENTRY_VALUE_0", HOSTILE), Map.entry("AGENTRY_VALUE_1", "1.2.3"));
    }

    @Test
    void a_hostile_input_reaches_the_shell_as_a_plain_string(@TempDir Path dir) throws Exception {
        var shell = Template.renderForShell("printf '%s' \"{{ inputs.name }}\" > out.txt", context(Map.of("name", HOSTILE)));
        var builder = new ProcessBuilder("/bin/sh", "-c", shell.script()).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(shell.variables());
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8)).isEqualTo(HOSTILE);
        assertThat(dir.resolve("pwned")).doesNotExist();
        assertThat(dir.resolve("pwned2")).doesNotExist();
        assertThat(dir.resolve("pwned3")).doesNotExist();
    }

    @Test
    void shell_rendering_without_references_leaves_the_command_as_written() {
        var shell = Template.renderForShell("echo \"$AGENTRY_RUN_ID\"", context(Map.of()));
        assertThat(shell.script()).isEqualTo("echo \"$AGENTRY_RUN_ID\"");
        assertThat(shell.variables()).isEmpty();
    }
}
