package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.testing.MutableClock;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.Conversation.Role;
import dev.agentry.agents.model.Conversation.ToolResult;
import dev.agentry.agents.model.ModelRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinAgentResumeTest {
    @TempDir
    Path temp;
    Path origin;
    MutableClock clock = new MutableClock();
    MemoryCheckpoints checkpoints = new MemoryCheckpoints();
    AgentSettings settings = AgentSettings.of("fake-model", "be brief").withCommands(List.of("sh test.sh"));

    @BeforeEach
    void createOrigin() throws Exception {
        origin = GitRepos.create(temp.resolve("origin"), Map.of("lib.sh", BuiltinAgentTest.LIB, "test.sh", BuiltinAgentTest.TEST));
    }

    @Test
    void a_crashed_attempt_resumes_on_a_fresh_clone_without_asking_the_model_again_for_saved_turns() throws Exception {
        Path first = GitRepos.cloneOf(origin, temp.resolve("first"));
        FakeModel crashing = FakeModel.scripted(
                call("c1", "list_files", "{}"),
                call("c2", "edit_file", "{\"path\":\"lib.sh\",\"old_text\":\"$1 - $2\",\"new_text\":\"$1 + $2\"}"),
                call("c3", "write_file", "{\"path\":\"docs/notes.md\",\"content\":\"fixed add\\n\"}"),
                request -> {
                    throw new IllegalStateException("the runner's JVM died");
                });

        assertThatThrownBy(() -> new BuiltinAgent(settings, crashing, clock).run("Fix add.", first, checkpoints, null))
                .hasMessage("the runner's JVM died");
        assertThat(checkpoints.load().orElseThrow().turn()).isEqualTo(3);

        Path second = GitRepos.cloneOf(origin, temp.resolve("second"));
        assertThat(Files.readString(second.resolve("lib.sh"))).isEqualTo(BuiltinAgentTest.LIB);
        AtomicReference<String> libSeenAtTurnFour = new AtomicReference<>();
        AtomicReference<Boolean> notesSeenAtTurnFour = new AtomicReference<>();
        FakeModel resumed = FakeModel.scripted(
                request -> {
                    try {
                        libSeenAtTurnFour.set(Files.readString(second.resolve("lib.sh")));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    notesSeenAtTurnFour.set(Files.exists(second.resolve("docs/notes.md")));
                    return FakeModel.reply("c4", "run_command", "{\"command\":\"sh test.sh\"}");
                },
                call("c5", "finish", "{\"answer\":\"fixed\"}"));

        AgentResult result = new BuiltinAgent(settings, resumed, clock).run("Fix add.", second, checkpoints, null);

        assertThat(result).isInstanceOf(AgentResult.Finished.class).extracting(r -> ((AgentResult.Finished) r).turns())
                .isEqualTo(5);
        ModelRequest fourth = resumed.requests().getFirst();
        assertThat(fourth.messages()).hasSize(7).isEqualTo(crashing.requests().getLast().messages());
        assertThat(fourth.messages().getFirst()).isEqualTo(Conversation.Message.user("Fix add."));
        assertThat(resumed.requests()).hasSize(2);
        assertThat(libSeenAtTurnFour.get()).contains("$1 + $2");
        assertThat(notesSeenAtTurnFour.get()).isTrue();
        assertThat(FakeModel.result(resumed.requests().getLast(), "c4").content()).isEqualTo("exit code 0\npassed\n");
    }

    @Test
    void a_question_for_a_human_ends_the_attempt_and_the_answer_reaches_the_model_as_the_tool_result() throws Exception {
        Path tree = GitRepos.cloneOf(origin, temp.resolve("tree"));
        FakeModel asking = FakeModel.scripted(request -> new dev.agentry.agents.model.ModelReply(List.of(
                new Conversation.Text("I need a decision."),
                new Conversation.ToolCall("c1", "write_file", FakeModel.json("{\"path\":\"draft.txt\",\"content\":\"draft\"}")),
                new Conversation.ToolCall("c2", "ask_human", FakeModel.json("{\"question\":\"Subtract or add?\"}"))),
                dev.agentry.agents.model.ModelReply.StopReason.TOOL_USE, FakeModel.USAGE));

        AgentResult asked = new BuiltinAgent(settings, asking, clock).run("Fix add.", tree, checkpoints, null);

        assertThat(asked).isEqualTo(new AgentResult.Asked("Subtract or add?"));
        assertThat(checkpoints.load().orElseThrow().patch()).isNull();
        assertThat(checkpoints.load().orElseThrow().turn()).isEqualTo(1);

        FakeModel untouched = FakeModel.scripted();
        assertThat(new BuiltinAgent(settings, untouched, clock).run("Fix add.", tree, checkpoints, null))
                .isEqualTo(new AgentResult.Asked("Subtract or add?"));
        assertThat(untouched.requests()).isEmpty();

        FakeModel answered = FakeModel.scripted(call("c3", "finish", "{\"answer\":\"added\"}"));
        AgentResult finished = new BuiltinAgent(settings, answered, clock).run("Fix add.", tree, checkpoints, "Add, of course.");

        assertThat(finished).extracting(r -> ((AgentResult.Finished) r).turns()).isEqualTo(2);
        List<Conversation.Message> seen = answered.requests().getFirst().messages();
        assertThat(seen).extracting(Conversation.Message::role).containsExactly(Role.USER, Role.ASSISTANT, Role.USER);
        assertThat(seen.getLast().parts()).containsExactly(
                new ToolResult("c1", "wrote 5 bytes to draft.txt", false),
                new ToolResult("c2", "Add, of course.", false));
        assertThat(checkpoints.load().orElseThrow().turn()).isEqualTo(2);
    }

    @Test
    void an_attempt_that_already_finished_finishes_again_without_a_model_call() throws Exception {
        Path tree = GitRepos.cloneOf(origin, temp.resolve("tree"));
        new BuiltinAgent(settings, FakeModel.scripted(call("c1", "finish", "{\"answer\":\"done\",\"outputs\":{\"k\":\"v\"}}")), clock)
                .run("t", tree, checkpoints, null);
        FakeModel untouched = FakeModel.scripted();

        AgentResult again = new BuiltinAgent(settings, untouched, clock).run("t", tree, checkpoints, null);

        assertThat(again).isInstanceOf(AgentResult.Finished.class);
        assertThat(((AgentResult.Finished) again).outputs()).isEqualTo(Map.of("k", "v"));
        assertThat(untouched.requests()).isEmpty();
    }
}
