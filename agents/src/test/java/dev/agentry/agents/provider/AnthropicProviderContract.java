package dev.agentry.agents.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.stub.RecordedRequest;
import dev.agentry.agents.stub.ScriptedModelServer;

/** The contract on the Anthropic Messages wire. */
abstract class AnthropicProviderContract extends ModelProviderContract {
    @Override
    ModelProvider provider(ScriptedModelServer server, String apiKey, ProviderSettings settings) {
        return new AnthropicProvider(server.anthropicBaseUrl(), apiKey, settings);
    }

    @Override
    void assertKeySent(RecordedRequest request, String apiKey) {
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(request.header("x-api-key")).isEqualTo(apiKey);
        assertThat(request.header("anthropic-version")).isNotBlank();
        assertThat(request.header("authorization")).as("no bearer token beside the key").isNull();
    }

    @Override
    void assertToolResultTurn(JsonNode body, String callId, String content) {
        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(body.has("system")).as("an empty system prompt is not sent").isFalse();

        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(assistant.at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(assistant.at("/content/1/id").asText()).isEqualTo(callId);
        assertThat(assistant.at("/content/1/input/path").asText()).isEqualTo("a.txt");
        assertThat(assistant.at("/content/2/input/lines")).isEqualTo(json("[1,2]"));

        JsonNode results = messages.get(2);
        assertThat(results.path("role").asText()).isEqualTo("user");
        assertThat(results.at("/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(results.at("/content/0/tool_use_id").asText()).isEqualTo(callId);
        assertThat(results.at("/content/0/content").asText()).isEqualTo(content);
        assertThat(results.at("/content/0/is_error").asBoolean(true)).isFalse();
        assertThat(results.at("/content/1/tool_use_id").asText()).isEqualTo("call_b");
        assertThat(results.at("/content/1/is_error").asBoolean()).isTrue();
    }
}
