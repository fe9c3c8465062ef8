package dev.agentry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.pipeline.Problem;
import java.util.ArrayList;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    static Set<String> kinds(String expression) {
        var problems = new ArrayList<Problem>();
        var condition = Conditions.compile(expression, "when", problems);
        assertThat(problems).as(expression).isEmpty();
        return condition.orElseThrow().kinds();
    }

    @Test
    void a_condition_that_starts_by_naming_kinds_is_about_those_kinds_only() {
        assertThat(kinds("action.kind == \"git-push\" && action.branch == \"main\"")).containsExactly("git-push");
        assertThat(kinds("\"spend-call\" == action.kind && action.estimatedUsd > 5")).containsExactly("spend-call");
        assertThat(kinds("run.agent == \"coder\" && action.kind in [\"git-push\", \"open-pull-request\"]"))
                .containsExactlyInAnyOrder("git-push", "open-pull-request");
        assertThat(kinds("action.kind in [\"git-push\", \"merge-pull-request\"] && action.kind == \"git-push\""))
                .containsExactly("git-push");
        assertThat(kinds("action.kind == \"git-push\" && action.kind == \"spend-call\"")).isEmpty();
    }

    @Test
    void a_condition_that_does_not_narrow_the_kind_at_its_top_may_hold_for_any_kind() {
        assertThat(kinds("true")).isNull();
        assertThat(kinds("action.kind == \"git-push\" || action.kind == \"spend-call\"")).isNull();
        assertThat(kinds("!(action.kind == \"git-push\")")).isNull();
        assertThat(kinds("action.kind != \"git-push\" && run.id > 0")).isNull();
        assertThat(kinds("run.step == \"push\" && run.id > 0")).isNull();
    }
}
