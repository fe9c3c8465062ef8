package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.testing.MutableClock;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.core.agent.ProviderEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentProcessTest {
    static final String TOKEN = "run-token-3f9a";

    @TempDir
    Path temp;
    Path tree;
    Path outputs;
    FakeGateway gateway;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<ProviderChoice> choices = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path origin = GitRepos.create(temp.resolve("origin"), Map.of("lib.sh", BuiltinAgentTest.LIB, "test.sh", BuiltinAgentTest.TEST));
        tree = GitRepos.cloneOf(origin, temp.resolve("tree"));
        outputs = temp.resolve("outputs.json");
        gateway = new FakeGateway(TOKEN);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    Map<String, String> env(String settings) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENTRY_AGENT", settings);
        env.put("AGENTRY_PROMPT", "Make sh test.sh pass.");
        env.put("AGENTRY_MODEL_API", "anthropic");
        env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/gateway/anthropic");
        env.put("ANTHROPIC_API_KEY", TOKEN);
        env.put("AGENTRY_GATEWAY_URL", gateway.url().toString());
        env.put("AGENTRY_OUTPUTS", outputs.toString());
        return env;
    }

    int run(Map<String, String> env, ModelProvider model) {
        Function<ProviderChoice, ModelProvider> providers = choice -> {
            choices.add(choice);
            return model;
        };
        return AgentProcess.run(env, tree, providers, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    Map<String, String> outputs() throws Exception {
        return new ObjectMapper().readerForMapOf(String.class).readValue(outputs.toFile());
    }

    @Test
    void the_process_does_the_task_checkpoints_through_the_gateway_and_writes_its_outputs() throws Exception {
        FakeModel model = FakeModel.scripted(
                call("c1", "edit_file", "{\"path\":\"lib.sh\",\"old_text\":\"$1 - $2\",\"new_text\":\"$1 + $2\"}"),
                call("c2", "run_command", "{\"command\":\"sh test.sh\"}"),
                call("c3", "finish", "{\"answer\":\"add adds\",\"outputs\":{\"fixed\":\"add\"}}"));

        int exit = run(env("{\"model\":\"claude-sonnet-4-5\",\"commands\":[\"sh test.sh\"]}"), model);

        assertThat(exit).as(err.toString()).isZero();
        assertThat(outputs()).isEqualTo(Map.of("answer", "add adds", "fixed", "add"));
        assertThat(choices).containsExactly(new ProviderChoice(ProviderEndpoint.Api.ANTHROPIC,
                URI.create("http://127.0.0.1:9/gateway/anthropic"), TOKEN));
        assertThat(gateway.puts()).hasSize(3).allSatisfy(put -> assertThat(put.has("patch")).isTrue());
        assertThat(gateway.puts().getLast().get("patch").asText()).contains("+  echo $(($1 + $2))");
        assertThat(gateway.authorizations()).containsOnly("Bearer " + TOKEN);
        assertThat(out.toString()).contains("turn 1: edit_file", "turn 2: run_command", "turn 3: finish", "agent finished after 3 turns")
                .doesNotContain(TOKEN);
        assertThat(GitRepos.sh(tree, "sh test.sh")).contains("exit=0");
    }

    @Test
    void a_question_exits_zero_with_the_question_and_the_next_process_resumes_with_the_answer() throws Exception {
        String settings = "{\"model\":\"m\"}";
        int asked = run(env(settings), FakeModel.scripted(call("c1", "ask_human", "{\"question\":\"Which branch?\"}")));

        assertThat(asked).isZero();
        assertThat(outputs()).isEqualTo(Map.of("question", "Which branch?"));

        Map<String, String> resumed = env(settings);
        resumed.put("AGENTRY_ANSWER", "main");
        FakeModel model = FakeModel.scripted(call("c2", "finish", "{\"answer\":\"used main\"}"));
        assertThat(run(resumed, model)).isZero();

        assertThat(outputs()).isEqualTo(Map.of("answer", "used main"));
        assertThat(FakeModel.result(model.requests().getFirst(), "c1").content()).isEqualTo("main");
        assertThat(out.toString()).contains("resuming with a human's answer").doesNotContain("main\n");
    }

    @Test
    void a_spent_budget_exits_75_without_outputs() {
        int exit = run(env("{\"model\":\"m\"}"), FakeModel.scripted(FakeModel.fail(ModelCallFailed.Reason.BUDGET, "budget spent")));

        assertThat(exit).isEqualTo(AgentProcess.EXIT_PAUSED);
        assertThat(outputs).doesNotExist();
    }

    @Test
    void a_stopped_agent_exits_one_with_a_single_line_saying_why() {
        int exit = run(env("{\"model\":\"m\",\"maxTurns\":1}"), FakeModel.scripted(call("c1", "list_files", "{}")));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("agent stopped: max turns reached: 1 turns, the most allowed (after turn 1);"
                + " last tool calls:; - list_files {} → ok: lib.sh").hasLineCount(1);
        assertThat(outputs).doesNotExist();
    }

    @Test
    void a_bad_environment_exits_one_naming_the_variable_and_never_printing_values() {
        Map<String, String> env = env("{\"model\":\"m\",\"maxTurn\":3}");

        assertThat(run(env, FakeModel.scripted())).isEqualTo(1);
        assertThat(err.toString()).startsWith("agent settings: unknown field \"maxTurn\"");

        err.reset();
        env = env("{\"model\":\"m\"}");
        env.put("AGENTRY_MODEL_API", "gemini");
        assertThat(run(env, FakeModel.scripted())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("AGENTRY_MODEL_API: expected anthropic or openai\n").doesNotContain(TOKEN);
    }

    @Test
    void checkpoints_and_clock_can_be_substituted() throws Exception {
        MemoryCheckpoints checkpoints = new MemoryCheckpoints();
        Map<String, String> env = env("{\"model\":\"m\"}");
        env.remove("AGENTRY_GATEWAY_URL");
        env.put("AGENTRY_MODEL_API", "openai");
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:9/gateway/openai/v1");
        env.put("OPENAI_API_KEY", TOKEN);

        int exit = AgentProcess.run(env, tree, choice -> {
            choices.add(choice);
            return FakeModel.scripted(FakeModel.say("nothing to do"));
        }, checkpoints, new MutableClock(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isZero();
        assertThat(choices.getFirst().api()).isEqualTo(ProviderEndpoint.Api.OPENAI);
        assertThat(checkpoints.saves()).isEqualTo(1);
        assertThat(Files.readString(outputs)).isEqualTo("{\"answer\":\"nothing to do\"}");
    }
}
