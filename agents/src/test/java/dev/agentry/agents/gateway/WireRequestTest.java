package dev.agentry.agents.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Requests as the agent sends them: model, stream flag and the prompt as canonical items. */
class WireRequestTest {
    private static GatewayRequest parse(Api api, String json) throws GatewayRefusal {
        return ProviderWire.of(api).parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode errorBody(Api api, GatewayRefusal refusal) throws Exception {
        return CanonicalJson.MAPPER.readTree(ProviderWire.of(api).error(refusal));
    }

    @Test
    void a_request_yields_its_model_stream_flag_head_and_one_item_per_message() throws Exception {
        var request = parse(Api.ANTHROPIC, """
                {"model": "claude-x", "max_tokens": 100, "stream": true,
                 "system": "be brief", "messages": [
                   {"role": "user", "content": "hi"},
                   {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}]}
                """);

        assertThat(request.model()).isEqualTo("claude-x");
        assertThat(request.stream()).isTrue();
        assertThat(request.promptItems()).containsExactly(
                "{\"max_tokens\":100,\"model\":\"claude-x\",\"stream\":true,\"system\":\"be brief\"}",
                "{\"content\":\"hi\",\"role\":\"user\"}",
                "{\"content\":[{\"text\":\"hello\",\"type\":\"text\"}],\"role\":\"assistant\"}");
    }

    @Test
    void items_are_canonical_whatever_the_key_order_and_whitespace() throws Exception {
        var a = parse(Api.OPENAI, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{\"b\":1,\"a\":[2, {\"z\":0,\"y\":1}]}}]}");
        var b = parse(Api.OPENAI, "{ \"messages\" : [ { \"content\" : { \"a\" : [ 2 , { \"y\" : 1 , \"z\" : 0 } ] , \"b\" : 1 } , \"role\" : \"user\" } ] ,\n \"model\" : \"m\" }");

        assertThat(a.promptItems()).isEqualTo(b.promptItems());
        assertThat(a.promptItems().get(1)).isEqualTo("{\"content\":{\"a\":[2,{\"y\":1,\"z\":0}],\"b\":1},\"role\":\"user\"}");
    }

    @Test
    void two_calls_of_one_conversation_share_a_prefix_of_identical_items() throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read\",\"parameters\":{\"type\":\"object\"}}}]";
        var first = parse(Api.OPENAI, "{\"model\":\"m\"," + tools + ",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                + "{\"role\":\"user\",\"content\":\"read a\"}]}");
        var second = parse(Api.OPENAI, "{" + tools + ",\"model\":\"m\",\"messages\":[{\"content\":\"s\",\"role\":\"system\"},"
                + "{\"content\":\"read a\",\"role\":\"user\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"read\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"A\"}]}");

        assertThat(second.promptItems()).hasSize(5).startsWith(first.promptItems().toArray(String[]::new));
    }

    @Test
    void malformed_json_is_a_400_in_each_providers_format() throws Exception {
        var refusal = catchThrowableOfType(GatewayRefusal.class, () -> parse(Api.ANTHROPIC, "{\"model\": \"m\", "));
        assertThat(refusal.status()).isEqualTo(400);
        JsonNode anthropic = errorBody(Api.ANTHROPIC, refusal);
        assertThat(anthropic.path("type").asText()).isEqualTo("error");
        assertThat(anthropic.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(anthropic.at("/error/message").asText()).startsWith("the body is not valid JSON");

        JsonNode openAi = errorBody(Api.OPENAI, catchThrowableOfType(GatewayRefusal.class, () -> parse(Api.OPENAI, "[1]")));
        assertThat(openAi.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(openAi.at("/error/message").asText()).contains("JSON object");
    }

    @Test
    void a_missing_or_ill_typed_model_or_messages_names_the_field() throws Exception {
        String[][] cases = {
                {"{\"messages\": []}", "model"},
                {"{\"model\": 7, \"messages\": []}", "model"},
                {"{\"model\": \"\", \"messages\": []}", "model"},
                {"{\"model\": \"m\"}", "messages"},
                {"{\"model\": \"m\", \"messages\": \"hi\"}", "messages"},
                {"{\"model\": \"m\", \"messages\": [\"hi\"]}", "messages[0]"},
                {"{\"model\": \"m\", \"messages\": [], \"stream\": \"yes\"}", "stream"},
        };
        for (String[] c : cases) {
            var refusal = catchThrowableOfType(GatewayRefusal.class, () -> parse(Api.OPENAI, c[0]));
            assertThat(refusal).as(c[0]).isNotNull();
            assertThat(errorBody(Api.OPENAI, refusal).at("/error/param").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(errorBody(Api.ANTHROPIC, refusal).at("/error/message").asText()).as(c[0]).startsWith(c[1] + ":");
        }
    }

    @Test
    void trailing_content_after_the_object_is_malformed() {
        assertThatThrownBy(() -> parse(Api.OPENAI, "{\"model\":\"m\",\"messages\":[]} {}")).isInstanceOf(GatewayRefusal.class);
    }

    @Test
    void a_string_longer_than_jacksons_default_limit_is_accepted() throws Exception {
        String big = "x".repeat(21_000_000);
        var request = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");
        assertThat(request.body().at("/messages/0/content").asText()).hasSize(big.length());
    }
}
