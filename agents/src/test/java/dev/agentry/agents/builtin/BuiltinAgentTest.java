package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.FakeModel.call;
import static dev.agentry.agents.builtin.FakeModel.result;
import static dev.agentry.agents.builtin.FakeModel.say;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.testing.MutableClock;
import dev.agentry.agents.builtin.AgentResult.Limit;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelReply;
import dev.agentry.core.spend.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinAgentTest {
    static final String LIB = "add() {\n  echo $(($1 - $2))\n}\n";
    static final String TEST = ". ./lib.sh\nresult=$(add 2 3)\n[ \"$result\" = 5 ] || { echo \"add 2 3 gave $result\"; exit 1; }\necho passed\n";

    @TempDir
    Path temp;
    Path repo;
    MutableClock clock = new MutableClock();
    MemoryCheckpoints checkpoints = new MemoryCheckpoints();

    @BeforeEach
    void createRepository() throws Exception {
        repo = GitRepos.create(temp.resolve("repo"), Map.of("lib.sh", LIB, "test.sh", TEST, "README.md", "adds numbers\n"));
    }

    AgentSettings settings(String... commands) {
        return AgentSettings.of("fake-model", null).withCommands(List.of(commands));
    }

    @Test
    void the_agent_fixes_a_function_so_the_tests_pass_and_finishes_with_its_outputs() throws Exception {
        FakeModel model = FakeModel.scripted(
                call("c1", "list_files", "{}"),
                call("c2", "read_file", "{\"path\":\"lib.sh\"}"),
                call("c3", "edit_file", "{\"path\":\"lib.sh\",\"old_text\":\"$1 - $2\",\"new_text\":\"$1 + $2\"}"),
                call("c4", "run_command", "{\"command\":\"sh test.sh\"}"),
                call("c5", "finish", "{\"answer\":\"add adds now\",\"outputs\":{\"fixed\":\"add\"}}"));

        AgentResult result = new BuiltinAgent(settings("sh test.sh", "git status"), model, clock)
                .run("Make sh test.sh pass.", repo, checkpoints, null);

        assertThat(result).isEqualTo(new AgentResult.Finished("add adds now", Map.of("fixed", "add"),
                new Usage(500, 100, 0, 0), 5));
        assertThat(Files.readString(repo.resolve("lib.sh"))).contains("$(($1 + $2))");
        assertThat(GitRepos.sh(repo, "sh test.sh")).contains("passed").contains("exit=0");
        List<dev.agentry.agents.model.ModelRequest> requests = model.requests();
        assertThat(requests.getFirst().messages()).containsExactly(Conversation.Message.user("Make sh test.sh pass."));
        assertThat(requests.getFirst().tools()).extracting(Conversation.Tool::name)
                .containsExactlyElementsOf(AgentSettings.ALL_TOOLS);
        assertThat(result(requests.get(1), "c1").content()).contains("lib.sh", "test.sh", "README.md").doesNotContain(".git");
        assertThat(result(requests.get(2), "c2").content()).startsWith("1\tadd() {\n2\t  echo $(($1 - $2))");
        assertThat(result(requests.get(3), "c3")).extracting(Conversation.ToolResult::error).isEqualTo(false);
        assertThat(result(requests.get(4), "c4").content()).isEqualTo("exit code 0\npassed\n");
        assertThat(checkpoints.saves()).isEqualTo(5);
        assertThat(checkpoints.load().orElseThrow().patch()).contains("+  echo $(($1 + $2))");
    }

    @Test
    void a_command_outside_the_allow_list_never_runs() {
        FakeModel model = FakeModel.scripted(
                call("c1", "run_command", "{\"command\":\"touch marker\"}"),
                call("c2", "run_command", "{\"command\":\"sh test.sh; touch marker\"}"),
                call("c3", "run_command", "{\"command\":\"sh test.sh $(touch marker)\"}"),
                say("gave up"));

        AgentResult result = new BuiltinAgent(settings("sh test.sh *"), model, clock).run("t", repo, checkpoints, null);

        assertThat(result).isInstanceOf(AgentResult.Finished.class);
        assertThat(repo.resolve("marker")).doesNotExist();
        var last = model.requests().getLast();
        assertThat(result(last, "c1").error()).isTrue();
        assertThat(result(last, "c1").content()).contains("not in the allow-list", "sh test.sh *");
        assertThat(result(last, "c2").content()).contains("shell operators are not allowed (found ;)");
        assertThat(result(last, "c3").content()).contains("shell operators are not allowed (found $)");
    }

    @Test
    void paths_outside_the_working_tree_are_refused() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(repo.resolve("link"), outside);
        FakeModel model = FakeModel.scripted(
                call("c1", "read_file", "{\"path\":\"../outside/secret.txt\"}"),
                call("c2", "read_file", "{\"path\":\"" + outside.resolve("secret.txt") + "\"}"),
                call("c3", "read_file", "{\"path\":\"link/secret.txt\"}"),
                call("c4", "write_file", "{\"path\":\"link/new.txt\",\"content\":\"x\"}"),
                call("c5", "write_file", "{\"path\":\".git/config\",\"content\":\"x\"}"),
                call("c6", "search", "{\"pattern\":\"secret\",\"path\":\"link\"}"),
                say("done"));

        new BuiltinAgent(settings(), model, clock).run("t", repo, checkpoints, null);

        var last = model.requests().getLast();
        assertThat(FakeModel.results(last)).allSatisfy(r -> assertThat(r.error()).isTrue())
                .noneSatisfy(r -> assertThat(r.content()).contains("secret\n"));
        assertThat(result(last, "c1").content()).isEqualTo("../outside/secret.txt is outside the working tree");
        assertThat(result(last, "c2").content()).startsWith("path must be relative to the working tree");
        assertThat(result(last, "c3").content()).contains("symlink that leads outside the working tree");
        assertThat(result(last, "c5").content()).contains("inside .git");
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(Files.readString(repo.resolve(".git/config"))).isNotEqualTo("x");
    }

    @Test
    void turns_that_change_no_file_stop_the_agent_with_the_last_tool_calls() {
        AtomicInteger writes = new AtomicInteger();
        FakeModel model = FakeModel.repeating(
                call("c1", "read_file", "{\"path\":\"lib.sh\"}"),
                call("c2", "search", "{\"pattern\":\"add\"}"),
                request -> FakeModel.reply("w" + writes.incrementAndGet(), "write_file",
                        "{\"path\":\"notes.txt\",\"content\":\"note\"}"),
                request -> FakeModel.reply("r" + request.messages().size(), "read_file", "{\"path\":\"README.md\"}"));

        AgentResult result = new BuiltinAgent(settings().withLimits(40, 1_000_000, Duration.ofMinutes(30), 3), model, clock)
                .run("t", repo, checkpoints, null);

        assertThat(result).isInstanceOf(AgentResult.Stopped.class);
        AgentResult.Stopped stopped = (AgentResult.Stopped) result;
        assertThat(stopped.reason()).isEqualTo(Limit.NO_PROGRESS);
        assertThat(model.requests()).hasSize(6);
        assertThat(stopped.diagnostic()).startsWith("3 turns in a row called tools but changed no file (after turn 6)")
                .contains("- read_file {\"path\":\"README.md\"} → ok: 1\tadds numbers")
                .contains("- write_file {\"path\":\"notes.txt\",\"content\":\"note\"} → ok: wrote 4 bytes to notes.txt");
    }

    @Test
    void the_agent_stops_after_its_most_turns() {
        AtomicInteger n = new AtomicInteger();
        FakeModel model = FakeModel.repeating(request -> FakeModel.reply("w" + n.incrementAndGet(), "write_file",
                "{\"path\":\"n.txt\",\"content\":\"" + n.get() + "\"}"));

        AgentResult result = new BuiltinAgent(settings().withLimits(2, 1_000_000, Duration.ofMinutes(30), 8), model, clock)
                .run("t", repo, checkpoints, null);

        assertThat(result).extracting(r -> ((AgentResult.Stopped) r).reason()).isEqualTo(Limit.MAX_TURNS);
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void the_agent_stops_when_its_wall_time_is_spent() {
        AtomicInteger n = new AtomicInteger();
        FakeModel model = FakeModel.repeating(request -> {
            clock.advance(Duration.ofMinutes(20));
            return FakeModel.reply("w" + n.incrementAndGet(), "write_file", "{\"path\":\"n.txt\",\"content\":\"" + n.get() + "\"}");
        });

        AgentResult result = new BuiltinAgent(settings(), model, clock).run("t", repo, checkpoints, null);

        assertThat(result).extracting(r -> ((AgentResult.Stopped) r).reason()).isEqualTo(Limit.WALL_TIME);
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void the_agent_stops_when_its_tokens_are_spent() {
        AtomicInteger n = new AtomicInteger();
        FakeModel model = FakeModel.repeating(request -> new ModelReply(List.of(new Conversation.ToolCall("w" + n.incrementAndGet(),
                "write_file", FakeModel.json("{\"path\":\"n.txt\",\"content\":\"" + n.get() + "\"}"))),
                ModelReply.StopReason.TOOL_USE, new Usage(500_000, 100_000, 0, 0)));

        AgentResult result = new BuiltinAgent(settings().withLimits(40, 1_000_000, Duration.ofMinutes(30), 8), model, clock)
                .run("t", repo, checkpoints, null);

        assertThat(result).extracting(r -> ((AgentResult.Stopped) r).reason()).isEqualTo(Limit.MAX_TOKENS);
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void a_spent_budget_pauses_the_agent_and_other_model_failures_fail_it() {
        AgentResult paused = new BuiltinAgent(settings(), FakeModel.scripted(FakeModel.fail(ModelCallFailed.Reason.BUDGET,
                "the run's budget is spent")), clock).run("t", repo, checkpoints, null);
        AgentResult failed = new BuiltinAgent(settings(), FakeModel.scripted(FakeModel.fail(ModelCallFailed.Reason.UNAUTHORIZED,
                "token refused")), clock).run("t", repo, new MemoryCheckpoints(), null);

        assertThat(paused).isEqualTo(new AgentResult.Paused("the run's budget is spent"));
        assertThat(failed).isEqualTo(new AgentResult.Failed("model call failed (unauthorized): token refused"));
        assertThat(checkpoints.saves()).isZero();
    }

    @Test
    void a_reply_without_tool_calls_finishes_with_its_text() {
        AgentResult result = new BuiltinAgent(settings(), FakeModel.scripted(say("Nothing to change.")), clock)
                .run("t", repo, checkpoints, null);

        assertThat(result).isEqualTo(new AgentResult.Finished("Nothing to change.", Map.of(), FakeModel.USAGE, 1));
    }

    @Test
    void an_inline_agent_is_offered_only_ask_human_and_finish() {
        FakeModel model = FakeModel.scripted(call("c1", "read_file", "{\"path\":\"lib.sh\"}"), say("ok"));

        AgentResult result = new BuiltinAgent(settings(), model, clock).run("t", null, checkpoints, null);

        assertThat(result).isInstanceOf(AgentResult.Finished.class);
        assertThat(model.requests().getFirst().tools()).extracting(Conversation.Tool::name)
                .containsExactly("ask_human", "finish");
        assertThat(result(model.requests().getLast(), "c1").content()).startsWith("unknown tool read_file");
    }
}
