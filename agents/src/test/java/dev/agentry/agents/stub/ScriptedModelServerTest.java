package dev.agentry.agents.stub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stub itself, spoken to with a plain HTTP client so its wire shapes are checked without an SDK in between. */
class ScriptedModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ScriptedModelServer server = ScriptedModelServer.start();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        server.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("content-type", "application/json").header("x-api-key", "k")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void an_anthropic_reply_carries_text_tool_use_stop_reason_and_cache_usage() throws Exception {
        server.reply(Scripted.text("Looking.").andToolCall("toolu_1", "read_file", "{\"path\":\"a.txt\"}")
                .usage(100, 20, 50, 7));

        HttpResponse<String> response = post("/v1/messages", "{\"model\":\"claude-x\",\"messages\":[]}");

        JsonNode reply = JSON.readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(reply.at("/model").asText()).isEqualTo("claude-x");
        assertThat(reply.at("/content/0/text").asText()).isEqualTo("Looking.");
        assertThat(reply.at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(reply.at("/content/1/input/path").asText()).isEqualTo("a.txt");
        assertThat(reply.at("/stop_reason").asText()).isEqualTo("tool_use");
        assertThat(reply.at("/usage/input_tokens").asLong()).isEqualTo(100);
        assertThat(reply.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(50);
        assertThat(reply.at("/usage/cache_creation_input_tokens").asLong()).isEqualTo(7);
        assertThat(server.lastRequest().header("X-Api-Key")).isEqualTo("k");
    }

    @Test
    void an_anthropic_stream_follows_the_real_event_sequence() throws Exception {
        server.reply(Scripted.text("hi").andToolCall("read_file", "{}"));

        HttpResponse<String> response = post("/v1/messages", "{\"model\":\"m\",\"stream\":true}");

        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.body().lines().filter(line -> line.startsWith("event: ")).distinct().toList())
                .containsExactly("event: message_start", "event: ping", "event: content_block_start",
                        "event: content_block_delta", "event: content_block_stop", "event: message_delta",
                        "event: message_stop");
        assertThat(response.body()).contains("\"input_json_delta\"").contains("\"stop_reason\":\"tool_use\"");
    }

    @Test
    void an_openai_reply_counts_cached_tokens_inside_prompt_tokens() throws Exception {
        server.reply(Scripted.toolCall("read_file", "{\"path\":\"a.txt\"}").usage(100, 20, 50, 0));

        JsonNode reply = JSON.readTree(post("/v1/chat/completions", "{\"model\":\"gpt-x\"}").body());

        assertThat(reply.at("/choices/0/message/content").isNull()).isTrue();
        assertThat(reply.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(reply.at("/choices/0/message/tool_calls/0/function/arguments").asText())
                .isEqualTo("{\"path\":\"a.txt\"}");
        assertThat(reply.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(reply.at("/usage/prompt_tokens").asLong()).isEqualTo(150);
        assertThat(reply.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(50);
    }

    @Test
    void an_openai_stream_ends_with_a_usage_chunk_only_when_asked_and_then_done() throws Exception {
        server.reply(Scripted.text("hello"), Scripted.text("hello"));

        String withUsage = post("/v1/chat/completions",
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}").body();
        String without = post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}").body();

        assertThat(withUsage).contains("\"choices\":[],\"usage\":{").endsWith("data: [DONE]\n\n");
        assertThat(without).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
    }

    @Test
    void errors_carry_their_headers_and_the_apis_error_body() throws Exception {
        server.reply(Scripted.error(429).header("retry-after", "1"),
                Scripted.error(402).message("budget spent"));

        HttpResponse<String> limited = post("/v1/messages", "{}");
        HttpResponse<String> budget = post("/v1/chat/completions", "{}");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
        assertThat(JSON.readTree(limited.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(budget.statusCode()).isEqualTo(402);
        assertThat(JSON.readTree(budget.body()).at("/error/type").asText()).isEqualTo("budget_exceeded");
        assertThat(JSON.readTree(budget.body()).at("/error/message").asText()).isEqualTo("budget spent");
    }

    @Test
    void an_empty_script_answers_500_saying_it_ran_out_and_still_records_the_request() throws Exception {
        HttpResponse<String> response = post("/v1/messages", "{\"model\":\"m\"}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("script ran out");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.lastRequest().json().path("model").asText()).isEqualTo("m");
    }

    @Test
    void a_hanging_answer_sends_nothing_until_the_client_gives_up() {
        server.reply(Scripted.hang());
        HttpClient impatient = HttpClient.newBuilder().build();

        var attempt = impatient.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofMillis(300)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(attempt).failsWithin(Duration.ofSeconds(5));
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_malformed_answer_is_200_with_a_body_that_is_not_json() throws Exception {
        server.reply(Scripted.malformed());

        HttpResponse<String> response = post("/v1/messages", "{}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("<html>");
    }
}
