package dev.agentry.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.pipeline.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadMappingTest {
    static final PayloadMapping.Payload ISSUE = PayloadMapping.parse("""
            {"action": "opened",
             "issue": {"number": 42, "title": "Crash on start", "labels": [{"name": "bug"}, {"name": "p1"}], "draft": false,
                       "body": null},
             "repository": {"full_name": "acme/app"}}
            """.getBytes(StandardCharsets.UTF_8));
    static final PayloadMapping.Hook HOOK = new PayloadMapping.Hook("issues", "d-1");

    static Map<String, String> map(String... pairs) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void a_jsonpath_takes_the_value_it_points_at_as_text() {
        var inputs = PayloadMapping.compile(map("task", "$.issue.title", "number", "$.issue.number", "draft", "$.issue.draft",
                "labels", "$.issue.labels[*].name")).apply(ISSUE, HOOK);

        assertThat(inputs).containsExactly(Map.entry("task", "Crash on start"), Map.entry("number", "42"),
                Map.entry("draft", "false"), Map.entry("labels", "[\"bug\",\"p1\"]"));
    }

    @Test
    void text_with_references_is_filled_in_and_text_without_them_is_a_constant() {
        var inputs = PayloadMapping.compile(map("task", "Fix #{{ $.issue.number }} in {{$.repository.full_name}}: {{ $.issue.title }}",
                "source", "{{ hook.event }}/{{ hook.delivery }}", "branch", "main")).apply(ISSUE, HOOK);

        assertThat(inputs).containsEntry("task", "Fix #42 in acme/app: Crash on start")
                .containsEntry("source", "issues/d-1")
                .containsEntry("branch", "main");
    }

    @Test
    void an_object_is_passed_on_as_json() {
        assertThat(PayloadMapping.compile(map("repo", "$.repository")).apply(ISSUE, HOOK))
                .containsEntry("repo", "{\"full_name\":\"acme/app\"}");
    }

    @Test
    void a_missing_or_null_field_names_the_input_and_the_path() {
        assertThatThrownBy(() -> PayloadMapping.compile(map("task", "$.pull_request.title")).apply(ISSUE, HOOK))
                .isInstanceOfSatisfying(PayloadMapping.Unmappable.class, e -> {
                    assertThat(e.input()).isEqualTo("task");
                    assertThat(e.expression()).isEqualTo("$.pull_request.title");
                    assertThat(e.getMessage()).contains("task").contains("$.pull_request.title");
                });
        assertThatThrownBy(() -> PayloadMapping.compile(map("body", "Body: {{ $.issue.body }}")).apply(ISSUE, HOOK))
                .isInstanceOf(PayloadMapping.Unmappable.class).hasMessageContaining("$.issue.body");
        assertThatThrownBy(() -> PayloadMapping.compile(map("l", "$.issue.labels[?(@.name == 'wontfix')].name")).apply(ISSUE, HOOK))
                .isInstanceOf(PayloadMapping.Unmappable.class);
    }

    @Test
    void an_invalid_jsonpath_or_reference_is_a_problem_naming_the_input() {
        var problems = new ArrayList<Problem>();

        PayloadMapping.compile(map("task", "$.issue[0", "title", "About {{ issue.title }}", "empty", "", "ok", "$.a"), problems);

        assertThat(problems).extracting(Problem::field).containsExactly("inputs.task", "inputs.title", "inputs.empty");
        assertThat(problems.get(0).message()).contains("$.issue[0").contains("not a valid JSONPath");
        assertThat(problems.get(1).message()).contains("issue.title");
    }

    @Test
    void a_body_that_is_not_json_is_refused() {
        assertThatThrownBy(() -> PayloadMapping.parse("payload=%7B%7D".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PayloadMapping.NotJson.class).hasMessageContaining("application/json");
        assertThatThrownBy(() -> PayloadMapping.parse(new byte[0])).isInstanceOf(PayloadMapping.NotJson.class);
    }
}
