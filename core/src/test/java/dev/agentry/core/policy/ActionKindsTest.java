package dev.agentry.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionKindsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Action.Context CONTEXT = Action.Context.outsideRun("default");

    static Action read(String json) throws Exception {
        return ActionKinds.read(JSON.readTree(json), CONTEXT);
    }

    static List<Problem> problems(String json) {
        try {
            throw new AssertionError("expected the action to be refused, but it read as " + read(json));
        } catch (InvalidDefinition e) {
            return e.problems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** One action of every kind, each attribute given: what the table says each kind has. */
    static final List<Action> ONE_OF_EACH = List.of(
            new Action.RunCommand(CONTEXT, "make", "/tree"),
            new Action.WritePath(CONTEXT, "a.txt", true),
            new Action.ReadPath(CONTEXT, "/etc/passwd", false),
            new Action.CallHost(CONTEXT, "api.github.com", 443, "https"),
            new Action.GitPush(CONTEXT, "acme", "fix", "main"),
            new Action.OpenPullRequest(CONTEXT, "acme", "fix", "main"),
            new Action.MergePullRequest(CONTEXT, "acme", 12, "main"),
            new Action.SpendCall(CONTEXT, "claude-x", new BigDecimal("0.25")),
            new Action.SpendRun(CONTEXT, new BigDecimal("3")),
            new Action.LeaseSecret(CONTEXT, "github-token", "github"));

    @Test
    void the_table_lists_every_kind_with_exactly_the_attributes_its_record_shows() {
        assertThat(ONE_OF_EACH).extracting(Action::kind).containsExactlyElementsOf(ActionKinds.names());
        for (Action action : ONE_OF_EACH) {
            var table = ActionKinds.find(action.kind()).orElseThrow().attributes().stream().map(ActionKinds.Attribute::name).toList();
            assertThat(action.attributes().keySet()).as(action.kind()).containsExactlyElementsOf(table);
        }
    }

    @Test
    void every_kind_reads_back_from_the_json_of_its_attributes() throws Exception {
        for (Action action : ONE_OF_EACH) {
            var node = JSON.createObjectNode().put("kind", action.kind());
            action.attributes().forEach((name, value) -> node.set(name, JSON.valueToTree(value)));

            Action read = ActionKinds.read(node, CONTEXT);

            assertThat(read.attributes()).as(action.kind()).isEqualTo(action.attributes());
            assertThat(read.getClass()).isEqualTo(action.getClass());
        }
    }

    @Test
    void an_optional_attribute_left_out_is_null() throws Exception {
        var push = read("{\"kind\": \"git-push\", \"repository\": \"acme\", \"branch\": \"fix\"}");

        assertThat(push).isEqualTo(new Action.GitPush(CONTEXT, "acme", "fix", null));
        assertThat(push.attributes()).containsEntry("baseBranch", null);
    }

    @Test
    void amounts_are_seen_as_dollars_and_whole_numbers_as_longs() {
        var call = new Action.SpendCall(CONTEXT, "m", new BigDecimal("5.10"));
        var host = new Action.CallHost(CONTEXT, "h", 22, "ssh");

        assertThat(call.attributes().get("estimatedUsd")).isEqualTo(5.1);
        assertThat(host.attributes().get("port")).isEqualTo(22L);
    }

    @Test
    void missing_mistyped_and_unknown_attributes_are_each_reported_by_name() {
        var found = problems("{\"kind\": \"call-host\", \"host\": 1, \"port\": 70000, \"secure\": true}");

        assertThat(found).extracting(Problem::field).containsExactlyInAnyOrder("secure", "host", "port", "scheme");
        assertThat(found).filteredOn(p -> p.field().equals("secure")).first().extracting(Problem::message)
                .isEqualTo("unknown attribute 'secure' for a call-host action; expected host, port, scheme");
        assertThat(found).filteredOn(p -> p.field().equals("scheme")).first().extracting(Problem::message)
                .isEqualTo("required attribute of a call-host action is missing");
    }

    @Test
    void an_unknown_or_missing_kind_names_the_kinds_there_are() {
        assertThat(problems("{\"kind\": \"git-pull\"}")).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("kind");
            assertThat(p.message()).startsWith("unknown action kind the string 'git-pull'; expected one of run-command, ");
        });
        assertThatThrownBy(() -> read("{\"branch\": \"x\"}")).isInstanceOf(InvalidDefinition.class)
                .hasMessageContaining("kind: required field is missing");
    }

    @Test
    void a_negative_amount_is_refused() {
        assertThat(problems("{\"kind\": \"spend-run\", \"runSpentUsd\": -1}")).singleElement()
                .extracting(Problem::field).isEqualTo("runSpentUsd");
    }

    @Test
    void the_context_shows_its_run_with_a_null_agent_outside_agents() {
        var context = new Action.Context("default", 4, "build", null, "release");

        assertThat(context.attributes()).containsExactly(
                java.util.Map.entry("workspace", "default"), java.util.Map.entry("id", 4L), java.util.Map.entry("step", "build"),
                new java.util.AbstractMap.SimpleEntry<>("agent", null), java.util.Map.entry("pipeline", "release"));
        assertThat(context.attributes().keySet()).containsExactlyElementsOf(ActionKinds.RUN_ATTRIBUTES);
    }
}
