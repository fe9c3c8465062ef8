package dev.agentry.agents.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.Conversation.Message;
import dev.agentry.agents.model.Conversation.Role;
import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.spend.CallScope;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointsTest {
    static final Message ASSISTANT = new Message(Role.ASSISTANT, List.of(new Conversation.Text("looking"),
            new Conversation.ToolCall("c1", "read_file", FakeModel.json("{\"path\":\"a.txt\",\"limit\":3}"))));
    static final Message RESULTS = new Message(Role.USER, List.of(new Conversation.ToolResult("c1", "1\ta", false),
            new Conversation.ToolResult("c2", "no such tool", true)));

    @Test
    void messages_survive_their_json_form_unchanged_and_bad_json_names_the_field() {
        for (Message m : List.of(Message.user("task"), ASSISTANT, RESULTS)) {
            assertThat(MessageJson.read(MessageJson.write(m))).isEqualTo(m);
        }
        assertThat(MessageJson.write(RESULTS)).isEqualTo("{\"role\":\"user\",\"parts\":[{\"type\":\"tool_result\",\"callId\":\"c1\","
                + "\"content\":\"1\\ta\",\"error\":false},{\"type\":\"tool_result\",\"callId\":\"c2\",\"content\":\"no such tool\",\"error\":true}]}");
        assertThatThrownBy(() -> MessageJson.read("{\"role\":\"user\",\"parts\":[{\"type\":\"image\"}]}"))
                .hasMessage("message.parts[0].type: expected text, tool_call or tool_result, got \"image\"");
        assertThatThrownBy(() -> MessageJson.read("{\"role\":\"system\",\"parts\":[]}"))
                .hasMessage("message.role: expected user or assistant, got \"system\"");
    }

    @Test
    void port_checkpoints_store_messages_as_json_strings_for_the_attempts_scope() {
        CallScope scope = new CallScope(7, "fix", "attempt-1", "ws", "acct", "anthropic");
        List<AgentCheckpoints.Checkpoint> stored = new ArrayList<>();
        AgentCheckpoints port = new AgentCheckpoints() {
            public Optional<Checkpoint> load(CallScope s) {
                assertThat(s).isEqualTo(scope);
                List<String> all = stored.stream().flatMap(c -> c.messages().stream()).toList();
                return stored.isEmpty() ? Optional.empty() : Optional.of(new Checkpoint(stored.getLast().turn(), all, stored.getLast().patch()));
            }

            public void append(CallScope s, int turn, List<String> appended, String patch) {
                stored.add(new Checkpoint(turn, appended, patch));
            }
        };
        PortCheckpoints checkpoints = new PortCheckpoints(port, scope);

        checkpoints.save(1, List.of(Message.user("task"), ASSISTANT), null);
        checkpoints.save(2, List.of(RESULTS), "diff --git a/a b/a");

        assertThat(stored.getFirst().messages().getFirst()).isEqualTo("{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"task\"}]}");
        assertThat(checkpoints.load()).contains(new Checkpoints.Saved(2, List.of(Message.user("task"), ASSISTANT, RESULTS),
                "diff --git a/a b/a"));
    }

    @Test
    void http_checkpoints_put_each_turn_and_get_the_whole_conversation_with_the_run_token() throws Exception {
        try (FakeGateway gateway = new FakeGateway("run-token")) {
            HttpCheckpoints checkpoints = new HttpCheckpoints(URI.create(gateway.url() + "/"), "run-token");

            assertThat(checkpoints.load()).isEmpty();
            checkpoints.save(1, List.of(Message.user("task"), ASSISTANT), null);
            gateway.failNext = 1;
            checkpoints.save(2, List.of(RESULTS), "diff --git a/a b/a\n");

            assertThat(checkpoints.load()).contains(new Checkpoints.Saved(2, List.of(Message.user("task"), ASSISTANT, RESULTS),
                    "diff --git a/a b/a\n"));
            assertThat(gateway.puts().getFirst()).isEqualTo(new ObjectMapper().readTree(
                    "{\"turn\":1,\"messages\":[" + MessageJson.write(Message.user("task")) + "," + MessageJson.write(ASSISTANT)
                            + "],\"patch\":null}"));
            assertThat(gateway.authorizations()).containsOnly("Bearer run-token");
        }
    }

    @Test
    void http_checkpoints_say_clearly_when_the_token_is_refused_or_the_gateway_is_gone() throws Exception {
        URI gone;
        try (FakeGateway gateway = new FakeGateway("run-token")) {
            assertThatThrownBy(() -> new HttpCheckpoints(gateway.url(), "wrong").load())
                    .isInstanceOf(Checkpoints.CheckpointFailed.class)
                    .hasMessage("GET " + gateway.url() + "/agentry/v1/checkpoint answered 401 (the run token was refused): "
                            + "{\"detail\":\"unknown run token\"}");
            gone = gateway.url();
        }
        HttpCheckpoints unreachable = new HttpCheckpoints(gone, "run-token", HttpClient.newHttpClient(), Duration.ofSeconds(2),
                Duration.ofMillis(10));
        assertThatThrownBy(() -> unreachable.save(1, List.of(), null))
                .isInstanceOf(Checkpoints.CheckpointFailed.class)
                .hasMessageStartingWith("PUT " + gone + "/agentry/v1/checkpoint failed after 3 tries: java.net.ConnectException");
    }
}
