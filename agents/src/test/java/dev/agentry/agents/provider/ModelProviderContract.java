package dev.agentry.agents.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.Conversation.Message;
import dev.agentry.agents.model.Conversation.Role;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelCallFailed.Reason;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.model.ModelReply;
import dev.agentry.agents.model.ModelReply.StopReason;
import dev.agentry.agents.model.ModelRequest;
import dev.agentry.agents.stub.RecordedRequest;
import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.core.spend.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every model provider adapter does, against the scripted model server: each adapter runs it streaming and
 * not. Subclasses say how to build the adapter and what its API's wire looks like.
 */
abstract class ModelProviderContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "sk-test-0123456789abcdef";
    static final Conversation.Tool READ_FILE = new Conversation.Tool("read_file", "Reads a file of the workspace.",
            json("{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}"));

    final ScriptedModelServer server = ScriptedModelServer.start();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The adapter under test, pointed at the server, streaming or not as the concrete test class says. */
    abstract ModelProvider provider(ScriptedModelServer server, String apiKey, ProviderSettings settings);

    abstract boolean streaming();

    /** Asserts the request carried the key the way the API wants it. */
    abstract void assertKeySent(RecordedRequest request, String apiKey);

    /** Asserts the wire shape of the turn that sends a tool's result back, given the recorded request body. */
    abstract void assertToolResultTurn(JsonNode body, String callId, String content);

    ModelProvider provider(ProviderSettings settings) {
        ModelProvider provider = provider(server, KEY, settings.withStreaming(streaming()));
        if (provider instanceof AutoCloseable closeable) {
            opened.add(closeable);
        }
        return provider;
    }

    ModelProvider provider() {
        return provider(new ProviderSettings(Duration.ofSeconds(10), 2, streaming()));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        server.close();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ModelRequest ask(String text) {
        return new ModelRequest("test-model", "You are terse.", List.of(Message.user(text)), List.of(READ_FILE), 512);
    }

    // ---- replies

    @Test
    void a_text_reply_comes_back_with_its_stop_reason_and_usage_including_cache_reads() throws Exception {
        server.reply(Scripted.text("Hello there, how can I help?").usage(100, 20, 50, 0));

        ModelReply reply = provider().complete(ask("hi"));

        assertThat(reply.parts()).containsExactly(new Conversation.Text("Hello there, how can I help?"));
        assertThat(reply.stop()).isEqualTo(StopReason.END_TURN);
        assertThat(reply.usage()).isEqualTo(new Usage(100, 20, 50, 0));
        assertThat(server.lastRequest().streaming()).isEqualTo(streaming());
    }

    @Test
    void cache_writes_are_counted_apart_from_plain_input() throws Exception {
        server.reply(Scripted.text("ok").usage(30, 4, 200, 70));

        ModelReply reply = provider().complete(ask("hi"));

        assertThat(reply.usage()).isEqualTo(new Usage(30, 4, 200, 70));
    }

    @Test
    void a_reply_cut_short_says_it_hit_max_tokens() throws Exception {
        server.reply(Scripted.text("Once upon a").stop(Scripted.Stop.MAX_TOKENS));

        assertThat(provider().complete(ask("tell a story")).stop()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void the_request_carries_model_system_prompt_max_tokens_and_tool_definitions() throws Exception {
        server.reply(Scripted.text("ok"));

        provider().complete(ask("hi"));

        JsonNode body = server.lastRequest().json();
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.toString()).contains("You are terse.").contains("512");
        assertThat(body.toString()).contains("\"read_file\"").contains("Reads a file of the workspace.")
                .contains("\"required\":[\"path\"]");
    }

    @Test
    void the_key_is_sent_as_the_api_expects() throws Exception {
        server.reply(Scripted.text("ok"));

        provider().complete(ask("hi"));

        assertKeySent(server.lastRequest(), KEY);
    }

    @Test
    void a_tool_call_round_trip_sends_the_result_back_in_the_apis_shape() throws Exception {
        server.reply(Scripted.text("Let me read both.")
                        .andToolCall("call_a", "read_file", "{\"path\":\"a.txt\"}")
                        .andToolCall("call_b", "read_file", "{\"path\":\"b.txt\",\"lines\":[1,2]}"),
                Scripted.text("a.txt says hello"));
        ModelProvider provider = provider();

        ModelReply first = provider.complete(ask("what is in a.txt and b.txt?"));

        assertThat(first.stop()).isEqualTo(StopReason.TOOL_USE);
        assertThat(first.parts()).containsExactly(
                new Conversation.Text("Let me read both."),
                new Conversation.ToolCall("call_a", "read_file", json("{\"path\":\"a.txt\"}")),
                new Conversation.ToolCall("call_b", "read_file", json("{\"path\":\"b.txt\",\"lines\":[1,2]}")));

        List<Message> turns = List.of(Message.user("what is in a.txt and b.txt?"), first.message(),
                new Message(Role.USER, List.of(new Conversation.ToolResult("call_a", "hello", false),
                        new Conversation.ToolResult("call_b", "no such file", true))));
        ModelReply second = provider.complete(new ModelRequest("test-model", "", turns, List.of(READ_FILE), 512));

        assertThat(second.parts()).containsExactly(new Conversation.Text("a.txt says hello"));
        assertThat(server.requestCount()).isEqualTo(2);
        assertToolResultTurn(server.lastRequest().json(), "call_a", "hello");
    }

    // ---- retries

    @Test
    void a_429_with_retry_after_is_retried_after_the_wait_it_asks_for() throws Exception {
        server.reply(Scripted.error(429).header("retry-after", "1"), Scripted.text("done"));

        ModelReply reply = provider().complete(ask("hi"));

        assertThat(reply.parts()).containsExactly(new Conversation.Text("done"));
        List<RecordedRequest> requests = server.requests();
        assertThat(requests).hasSize(2);
        Duration gap = Duration.ofNanos(requests.get(1).nanos() - requests.get(0).nanos());
        assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(950)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void a_500_is_retried() throws Exception {
        server.reply(Scripted.error(500), Scripted.text("done"));

        ModelReply reply = provider().complete(ask("hi"));

        assertThat(reply.parts()).containsExactly(new Conversation.Text("done"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void a_429_that_persists_past_the_retries_is_unavailable() {
        server.reply(Scripted.error(429).header("retry-after", "0").message("slow down"),
                Scripted.error(429).header("retry-after", "0").message("slow down"));

        ModelCallFailed failed = failure(provider(new ProviderSettings(Duration.ofSeconds(5), 1, streaming())));

        assertThat(failed.reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(failed.status()).isEqualTo(429);
        assertThat(failed.getMessage()).contains("429").contains("slow down");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    // ---- failures

    @Test
    void a_402_from_the_gateway_is_a_spent_budget_and_is_not_retried() {
        server.reply(Scripted.error(402).errorType("budget_exceeded").message("run budget of $5.00 is spent"),
                Scripted.text("must not be reached"));

        ModelCallFailed failed = failure(provider());

        assertThat(failed.reason()).isEqualTo(Reason.BUDGET);
        assertThat(failed.status()).isEqualTo(402);
        assertThat(failed.getMessage()).contains("402").contains("budget_exceeded")
                .contains("run budget of $5.00 is spent");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_401_is_unauthorized_after_one_request_and_the_message_never_shows_the_key() {
        server.reply(Scripted.error(401).message("Incorrect API key provided: " + KEY),
                Scripted.text("must not be reached"));

        ModelCallFailed failed = failure(provider());

        assertThat(failed.reason()).isEqualTo(Reason.UNAUTHORIZED);
        assertThat(failed.status()).isEqualTo(401);
        assertThat(failed.getMessage()).contains("401").contains("Incorrect API key provided").doesNotContain(KEY);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_403_is_unauthorized_too() {
        server.reply(Scripted.error(403), Scripted.text("must not be reached"));

        assertThat(failure(provider()).reason()).isEqualTo(Reason.UNAUTHORIZED);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_400_is_a_rejected_request_with_the_providers_own_message() {
        server.reply(Scripted.error(400).message("max_tokens: must be at most 8192"));

        ModelCallFailed failed = failure(provider());

        assertThat(failed.reason()).isEqualTo(Reason.REJECTED);
        assertThat(failed.getMessage()).contains("400").contains("max_tokens: must be at most 8192").doesNotContain("\n");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_body_that_is_not_the_apis_reply_is_malformed_with_a_clear_message() {
        server.reply(Scripted.malformed());

        ModelCallFailed failed = failure(provider());

        assertThat(failed.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(failed.getMessage()).contains("not its API's reply").doesNotContain("\n");
    }

    @Test
    void a_provider_that_never_answers_is_unavailable_once_the_timeout_has_passed() {
        server.reply(Scripted.hang());
        ModelProvider provider = provider(new ProviderSettings(Duration.ofSeconds(1), 0, streaming()));

        long start = System.nanoTime();
        ModelCallFailed failed = failure(provider);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failed.reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(failed.getMessage()).contains("did not answer within 1000 ms");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(4));
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void a_timeout_is_retried_with_a_fresh_timeout() throws Exception {
        server.reply(Scripted.hang(), Scripted.text("second time lucky"));
        ModelProvider provider = provider(new ProviderSettings(Duration.ofSeconds(1), 1, streaming()));

        ModelReply reply = provider.complete(ask("hi"));

        assertThat(reply.parts()).containsExactly(new Conversation.Text("second time lucky"));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    static ModelCallFailed failure(ModelProvider provider) {
        ModelCallFailed failed = catchThrowableOfType(ModelCallFailed.class, () -> provider.complete(ask("hi")));
        assertThat(failed).as("the call should have failed").isNotNull();
        return failed;
    }
}
