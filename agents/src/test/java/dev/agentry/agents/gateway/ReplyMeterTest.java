package dev.agentry.agents.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Usage and the assistant's message, read from replies as they are forwarded. */
class ReplyMeterTest {
    static final String ANTHROPIC_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":12,"cache_read_input_tokens":300,"cache_creation_input_tokens":40,"output_tokens":1}}}

            event: ping
            data: {"type": "ping"}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Héllo ✓ "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"wörld"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"read","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"path\\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"a.txt\\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":57}}

            event: message_stop
            data: {"type":"message_stop"}

            """;
    static final String ANTHROPIC_REPLY = "{\"content\":[{\"text\":\"Héllo ✓ wörld\",\"type\":\"text\"},"
            + "{\"id\":\"toolu_1\",\"input\":{\"path\":\"a.txt\"},\"name\":\"read\",\"type\":\"tool_use\"}],\"role\":\"assistant\"}";

    static final String OPENAI_STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Grüße "},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"✓"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"read","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"path\\":\\"a\\"}"}}]},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":33,"total_tokens":1233,"prompt_tokens_details":{"cached_tokens":1024}}}

            data: [DONE]

            """;
    static final String OPENAI_REPLY = "{\"content\":\"Grüße ✓\",\"role\":\"assistant\",\"tool_calls\":[{\"function\":"
            + "{\"arguments\":\"{\\\"path\\\":\\\"a\\\"}\",\"name\":\"read\"},\"id\":\"call_1\",\"type\":\"function\"}]}";

    private static ReplyMeter.Metered meterInTwo(Api api, String contentType, byte[] body, int split) {
        ReplyMeter meter = ReplyMeter.of(ProviderWire.of(api), contentType);
        meter.feed(body, 0, split);
        meter.feed(body, split, body.length - split);
        return meter.finish();
    }

    @Test
    void anthropic_usage_and_message_come_from_a_json_reply() {
        byte[] body = """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}}
                """.getBytes(StandardCharsets.UTF_8);
        var metered = meterInTwo(Api.ANTHROPIC, "application/json", body, 17);

        assertThat(metered.usage()).isEqualTo(new Usage(10, 5, 100, 20));
        assertThat(metered.reply()).isEqualTo("{\"content\":[{\"text\":\"hi\",\"type\":\"text\"}],\"role\":\"assistant\"}");
    }

    @Test
    void openai_usage_leaves_the_cached_tokens_out_of_the_input() {
        byte[] body = """
                {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},
                 "finish_reason":"stop"}],"usage":{"prompt_tokens":2000,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":1536}}}
                """.getBytes(StandardCharsets.UTF_8);
        var metered = meterInTwo(Api.OPENAI, "application/json; charset=utf-8", body, 1);

        assertThat(metered.usage()).isEqualTo(new Usage(464, 7, 1536, 0));
        assertThat(metered.reply()).isEqualTo("{\"content\":\"hi\",\"role\":\"assistant\"}");
    }

    @Test
    void anthropic_stream_split_at_every_byte_gives_the_same_usage_and_reply() {
        byte[] body = ANTHROPIC_STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= body.length; split++) {
            var metered = meterInTwo(Api.ANTHROPIC, "text/event-stream", body, split);
            assertThat(metered.usage()).as("split at %d", split).isEqualTo(new Usage(12, 57, 300, 40));
            assertThat(metered.reply()).as("split at %d", split).isEqualTo(ANTHROPIC_REPLY);
        }
    }

    @Test
    void openai_stream_split_at_every_byte_gives_the_same_usage_and_reply() {
        byte[] body = OPENAI_STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= body.length; split++) {
            var metered = meterInTwo(Api.OPENAI, "text/event-stream; charset=utf-8", body, split);
            assertThat(metered.usage()).as("split at %d", split).isEqualTo(new Usage(176, 33, 1024, 0));
            assertThat(metered.reply()).as("split at %d", split).isEqualTo(OPENAI_REPLY);
        }
    }

    @Test
    void a_stream_fed_one_byte_at_a_time_with_crlf_line_ends_is_read_alike() {
        for (Api api : Api.values()) {
            String stream = (api == Api.ANTHROPIC ? ANTHROPIC_STREAM : OPENAI_STREAM).replace("\n", "\r\n");
            byte[] body = stream.getBytes(StandardCharsets.UTF_8);
            ReplyMeter meter = ReplyMeter.of(ProviderWire.of(api), "text/event-stream");
            for (int i = 0; i < body.length; i++) {
                meter.feed(body, i, 1);
            }
            var metered = meter.finish();
            assertThat(metered.reply()).as(api.name()).isEqualTo(api == Api.ANTHROPIC ? ANTHROPIC_REPLY : OPENAI_REPLY);
            assertThat(metered.usage()).as(api.name())
                    .isEqualTo(api == Api.ANTHROPIC ? new Usage(12, 57, 300, 40) : new Usage(176, 33, 1024, 0));
        }
    }

    @Test
    void a_later_message_delta_count_replaces_the_start_count() {
        String stream = """
                data: {"type":"message_start","message":{"role":"assistant","usage":{"input_tokens":5,"output_tokens":1}}}

                data: {"type":"message_delta","usage":{"input_tokens":7,"output_tokens":20,"cache_read_input_tokens":3}}

                """;
        byte[] body = stream.getBytes(StandardCharsets.UTF_8);
        var metered = meterInTwo(Api.ANTHROPIC, "text/event-stream", body, body.length);
        assertThat(metered.usage()).isEqualTo(new Usage(7, 20, 3, 0));
        assertThat(metered.reply()).as("no content block arrived").isNull();
    }

    @Test
    void a_reply_that_is_not_the_apis_json_meters_nothing_and_does_not_fail() {
        byte[] html = "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8);
        var whole = meterInTwo(Api.OPENAI, "application/json", html, 3);
        assertThat(whole.usage()).isEqualTo(Usage.NONE);
        assertThat(whole.reply()).isNull();

        byte[] events = "event: message_start\ndata: <html>\n\n".getBytes(StandardCharsets.UTF_8);
        var streamed = meterInTwo(Api.ANTHROPIC, "text/event-stream", events, 5);
        assertThat(streamed.usage()).isEqualTo(Usage.NONE);
        assertThat(streamed.reply()).isNull();
    }

    @Test
    void a_stream_without_a_final_blank_line_still_delivers_its_last_event() {
        byte[] body = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}".getBytes(StandardCharsets.UTF_8);
        var metered = meterInTwo(Api.OPENAI, "text/event-stream", body, 10);
        assertThat(metered.usage()).isEqualTo(new Usage(3, 1, 0, 0));
    }
}
