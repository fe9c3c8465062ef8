package dev.agentry.agents.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The prompt-cache hints the gateway adds for the run, and what it leaves alone. */
class CacheHintsTest {
    private static final CallScope SCOPE = new CallScope(42, "build", "key-1", "default", "acme", "anthropic");

    private static GatewayRequest parse(Api api, String json) throws GatewayRefusal {
        return ProviderWire.of(api).parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode sent(Api api, GatewayRequest request) {
        return ProviderWire.of(api).withCacheHints(request, SCOPE);
    }

    @Test
    void openai_calls_get_a_cache_key_of_the_run_and_streams_ask_for_usage() throws Exception {
        var request = parse(Api.OPENAI, "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        JsonNode sent = sent(Api.OPENAI, request);

        assertThat(sent.path("prompt_cache_key").asText()).isEqualTo("agentry-run-42");
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(request.body().has("prompt_cache_key")).as("the agent's request is not changed").isFalse();
        assertThat(request.promptItems().get(0)).doesNotContain("prompt_cache_key");
    }

    @Test
    void openai_keeps_the_agents_own_key_and_stream_options() throws Exception {
        var request = parse(Api.OPENAI, "{\"model\":\"m\",\"stream\":true,\"prompt_cache_key\":\"mine\","
                + "\"stream_options\":{\"include_usage\":false},\"messages\":[]}");
        assertThat(sent(Api.OPENAI, request)).isSameAs(request.body());

        var partial = parse(Api.OPENAI, "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"other\":1},\"messages\":[]}");
        JsonNode sent = sent(Api.OPENAI, partial);
        assertThat(sent.path("stream_options").toString()).isEqualTo("{\"other\":1,\"include_usage\":true}");
    }

    @Test
    void openai_non_streaming_calls_get_no_stream_options() throws Exception {
        var request = parse(Api.OPENAI, "{\"model\":\"m\",\"messages\":[]}");
        JsonNode sent = sent(Api.OPENAI, request);
        assertThat(sent.has("stream_options")).isFalse();
        assertThat(sent.path("prompt_cache_key").asText()).isEqualTo("agentry-run-42");
    }

    @Test
    void anthropic_string_content_of_the_last_message_becomes_a_text_block_with_a_breakpoint() throws Exception {
        var request = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},{\"role\":\"user\",\"content\":\"second\"}]}");
        JsonNode sent = sent(Api.ANTHROPIC, request);

        assertThat(sent.at("/messages/2/content").toString())
                .isEqualTo("[{\"type\":\"text\",\"text\":\"second\",\"cache_control\":{\"type\":\"ephemeral\"}}]");
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("first");
        assertThat(request.body().at("/messages/2/content").asText()).as("the agent's request is not changed").isEqualTo("second");
    }

    @Test
    void anthropic_block_content_gets_the_breakpoint_on_its_last_block() throws Exception {
        var request = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"A\"},{\"type\":\"text\",\"text\":\"go on\"}]}]}");
        JsonNode sent = sent(Api.ANTHROPIC, request);

        assertThat(sent.at("/messages/0/content/1/cache_control/type").asText()).isEqualTo("ephemeral");
        assertThat(sent.at("/messages/0/content/0").has("cache_control")).isFalse();
        assertThat(request.body().at("/messages/0/content/1").has("cache_control")).isFalse();
    }

    @Test
    void anthropic_requests_with_their_own_breakpoints_are_left_alone() throws Exception {
        var request = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"system\":[{\"type\":\"text\",\"text\":\"s\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(sent(Api.ANTHROPIC, request)).isSameAs(request.body());
    }

    @Test
    void anthropic_prompt_items_stay_shared_although_the_breakpoint_moves() throws Exception {
        var first = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}");
        var second = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"user\",\"content\":\"c\"}]}");
        sent(Api.ANTHROPIC, first);
        sent(Api.ANTHROPIC, second);
        assertThat(second.promptItems()).startsWith(first.promptItems().toArray(String[]::new));
    }

    @Test
    void anthropic_leaves_an_empty_conversation_or_a_thinking_block_unmarked() throws Exception {
        var empty = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[]}");
        assertThat(sent(Api.ANTHROPIC, empty)).isSameAs(empty.body());
        var thinking = parse(Api.ANTHROPIC, "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"s\"}]}]}");
        assertThat(sent(Api.ANTHROPIC, thinking)).isSameAs(thinking.body());
    }
}
