package dev.agentry.agents.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

    @Test
    void settings_left_out_take_their_defaults_and_survive_their_json_form() {
        AgentSettings read = AgentSettings.fromJson("{\"model\":\"claude-sonnet-4-5\"}");

        assertThat(read).isEqualTo(new AgentSettings("claude-sonnet-4-5", null, null, List.of(), 40, 2_000_000,
                Duration.ofMinutes(30), 8, 8192));
        AgentSettings full = new AgentSettings("gpt-4.1", "be brief", List.of("read_file", "finish"), List.of("mvn *"), 5, 1000,
                Duration.ofSeconds(90), 2, 1024);
        assertThat(AgentSettings.fromJson(full.toJson())).isEqualTo(full);
        assertThat(full.toJson()).contains("\"wallTime\":\"PT1M30S\"");
    }

    @Test
    void unknown_fields_and_wrong_values_are_refused_naming_the_field() {
        assertThatThrownBy(() -> AgentSettings.fromJson("{\"model\":\"m\",\"maxTurn\":3}"))
                .hasMessageStartingWith("agent settings: unknown field \"maxTurn\" (known: model, system, tools,");
        assertThatThrownBy(() -> AgentSettings.fromJson("{\"model\":\"m\",\"maxTurns\":\"many\"}"))
                .hasMessage("agent settings: maxTurns: expected a positive integer, got \"many\"");
        assertThatThrownBy(() -> AgentSettings.fromJson("{\"model\":\"m\",\"wallTime\":\"30m\"}"))
                .hasMessage("agent settings: wallTime: expected an ISO-8601 duration such as \"PT30M\", got \"30m\"");
        assertThatThrownBy(() -> AgentSettings.fromJson("{\"model\":\"m\",\"tools\":[\"rm_rf\"]}"))
                .hasMessageStartingWith("agent settings: tools: unknown tool \"rm_rf\"");
        assertThatThrownBy(() -> AgentSettings.fromJson("{\"system\":\"s\"}"))
                .hasMessage("agent settings: model: expected a non-empty string");
        assertThatThrownBy(() -> AgentSettings.fromJson("[1]")).hasMessage("agent settings: expected a JSON object");
    }

    @Test
    void the_allow_list_matches_words_exactly_and_star_stands_for_arguments_without_shell_operators() {
        CommandAllowList list = new CommandAllowList(List.of("git status", "mvn *", "sh test.sh"));

        assertThat(list.check("git  status ").allowed()).isTrue();
        assertThat(list.check("mvn -q test").allowed()).isTrue();
        assertThat(list.check("sh test.sh").reason()).isEqualTo("allowed by \"sh test.sh\"");
        assertThat(list.check("git status --porcelain").allowed()).isFalse();
        assertThat(list.check("git push").reason()).isEqualTo("not in the allow-list; allowed: git status, mvn *, sh test.sh");
        assertThat(list.check("mvn test && curl evil").reason()).startsWith("shell operators are not allowed (found &)");
        assertThat(list.check("mvn test\nrm -rf .").reason()).startsWith("shell operators are not allowed (found a newline)");
        assertThat(list.check("mvn `id`").allowed()).isFalse();
        assertThat(new CommandAllowList(List.of()).check("ls").reason()).isEqualTo("no commands are allowed for this agent");
    }
}
