package dev.agentry.agents.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.stub.RecordedRequest;
import dev.agentry.agents.stub.ScriptedModelServer;

/** The contract on the OpenAI Chat Completions wire. */
abstract class OpenAiProviderContract extends ModelProviderContract {
    @Override
    ModelProvider provider(ScriptedModelServer server, String apiKey, ProviderSettings settings) {
        return new OpenAiProvider(server.openAiBaseUrl(), apiKey, settings);
    }

    @Override
    void assertKeySent(RecordedRequest request, String apiKey) {
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("authorization")).isEqualTo("Bearer " + apiKey);
        assertThat(request.header("x-api-key")).isNull();
        if (streaming()) {
            assertThat(request.json().at("/stream_options/include_usage").asBoolean())
                    .as("a stream must ask for usage").isTrue();
        }
    }

    @Override
    void assertToolResultTurn(JsonNode body, String callId, String content) {
        JsonNode messages = body.path("messages");
        assertThat(messages).as("user, assistant, one tool message per result").hasSize(4);
        assertThat(messages.at("/0/role").asText()).as("an empty system prompt is not sent").isEqualTo("user");

        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").asText()).isEqualTo("Let me read both.");
        assertThat(assistant.at("/tool_calls/0/id").asText()).isEqualTo(callId);
        assertThat(assistant.at("/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(assistant.at("/tool_calls/0/function/name").asText()).isEqualTo("read_file");
        assertThat(assistant.at("/tool_calls/0/function/arguments").isTextual())
                .as("arguments travel as a JSON string").isTrue();
        assertThat(json(assistant.at("/tool_calls/0/function/arguments").asText())).isEqualTo(json("{\"path\":\"a.txt\"}"));

        assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo(callId);
        assertThat(messages.at("/2/content").asText()).isEqualTo(content);
        assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("call_b");
        assertThat(messages.at("/3/content").asText()).isEqualTo("Error: no such file");
    }
}
