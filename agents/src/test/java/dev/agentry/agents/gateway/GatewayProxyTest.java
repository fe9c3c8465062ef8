package dev.agentry.agents.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.PacedAnthropicStream;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.Usage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway between an agent and its provider, against a stub provider speaking the real wire formats. */
class GatewayProxyTest {
    static final String ANTHROPIC_KEY = "sk-ant-real-provider-key";
    static final String OPENAI_KEY = "sk-openai-real-provider-key";
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String ANTHROPIC_CALL = "{\"model\":\"claude-x\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String OPENAI_CALL = "{\"model\":\"gpt-x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    ScriptedModelServer upstream;
    FakeGatewayTokens tokens = new FakeGatewayTokens();
    FakeMetering metering = new FakeMetering();
    CallScope anthropicScope = new CallScope(7, "code", "attempt-1", "default", "acme", "anthropic");
    CallScope openAiScope = new CallScope(8, "review", "attempt-2", "default", "acme", "openai");
    String anthropicToken;
    String openAiToken;

    @BeforeEach
    void start() {
        upstream = ScriptedModelServer.start();
        anthropicToken = tokens.mint(anthropicScope, NOW.plusSeconds(3600));
        openAiToken = tokens.mint(openAiScope, NOW.plusSeconds(3600));
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    GatewayProxy proxy(GatewayProxy.Settings settings, URI anthropicBase, URI openAiBase) {
        Map<String, ProviderEndpoint> providers = Map.of(
                "anthropic", new ProviderEndpoint("anthropic", Api.ANTHROPIC, anthropicBase, ANTHROPIC_KEY),
                "openai", new ProviderEndpoint("openai", Api.OPENAI, openAiBase, OPENAI_KEY));
        return new GatewayProxy(tokens, name -> Optional.ofNullable(providers.get(name)), metering,
                GatewayProxy.httpClient(Duration.ofSeconds(2)), settings, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    GatewayProxy proxy() {
        return proxy(GatewayProxy.Settings.DEFAULTS, URI.create(upstream.anthropicBaseUrl()), URI.create(upstream.openAiBaseUrl()));
    }

    static RecordingSink call(GatewayProxy proxy, Api api, String token, String body) throws Exception {
        return call(proxy, api, token, Map.of(), body);
    }

    static RecordingSink call(GatewayProxy proxy, Api api, String token, Map<String, String> headers, String body) throws Exception {
        var sink = new RecordingSink();
        proxy.handle(api, token, headers::get, body.getBytes(StandardCharsets.UTF_8), sink);
        return sink;
    }

    static JsonNode json(RecordingSink sink) throws Exception {
        return CanonicalJson.MAPPER.readTree(sink.text());
    }

    @Test
    void a_wrong_missing_or_expired_token_is_a_401_and_the_provider_is_not_called() throws Exception {
        String expired = tokens.mint(anthropicScope, NOW.minusSeconds(1));
        for (String token : new String[] {"agt_wrong", null, "", expired}) {
            var sink = call(proxy(), Api.ANTHROPIC, token, ANTHROPIC_CALL);
            assertThat(sink.status).as("token %s", token).isEqualTo(401);
            assertThat(json(sink).at("/error/type").asText()).isEqualTo("authentication_error");
        }
        var openAi = call(proxy(), Api.OPENAI, "agt_wrong", OPENAI_CALL);
        assertThat(openAi.status).isEqualTo(401);
        assertThat(json(openAi).at("/error/code").asText()).isEqualTo("invalid_api_key");

        assertThat(upstream.requestCount()).isZero();
        assertThat(metering.admissions()).isZero();
        assertThat(metering.recorded()).isEmpty();
    }

    @Test
    void a_refused_budget_is_a_402_budget_exceeded_and_the_provider_is_not_called() throws Exception {
        metering.refuse("workspace budget of $50.00 spent");

        var anthropic = call(proxy(), Api.ANTHROPIC, anthropicToken, ANTHROPIC_CALL);
        var openAi = call(proxy(), Api.OPENAI, openAiToken, OPENAI_CALL);

        assertThat(anthropic.status).isEqualTo(402);
        assertThat(json(anthropic).at("/error/type").asText()).isEqualTo("budget_exceeded");
        assertThat(json(anthropic).at("/error/message").asText()).contains("workspace budget of $50.00 spent");
        assertThat(openAi.status).isEqualTo(402);
        assertThat(json(openAi).at("/error/type").asText()).isEqualTo("budget_exceeded");
        assertThat(upstream.requestCount()).isZero();
        assertThat(metering.recorded()).isEmpty();
    }

    @Test
    void the_provider_sees_the_real_key_and_never_the_run_token() throws Exception {
        upstream.reply(Scripted.text("a"), Scripted.text("b"));
        call(proxy(), Api.ANTHROPIC, anthropicToken, Map.of("anthropic-beta", "tools-2099", "authorization", "Bearer " + anthropicToken),
                ANTHROPIC_CALL);
        call(proxy(), Api.OPENAI, openAiToken, Map.of("authorization", "Bearer " + openAiToken), OPENAI_CALL);

        var anthropic = upstream.requests().get(0);
        assertThat(anthropic.header("x-api-key")).isEqualTo(ANTHROPIC_KEY);
        assertThat(anthropic.header("authorization")).isNull();
        assertThat(anthropic.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(anthropic.header("anthropic-beta")).isEqualTo("tools-2099");
        var openAi = upstream.requests().get(1);
        assertThat(openAi.header("authorization")).isEqualTo("Bearer " + OPENAI_KEY);
        assertThat(openAi.header("x-api-key")).isNull();
        for (var request : upstream.requests()) {
            assertThat(request.headers().toString()).doesNotContain(anthropicToken).doesNotContain(openAiToken);
            assertThat(request.body()).doesNotContain(anthropicToken).doesNotContain(openAiToken);
        }
    }

    @Test
    void the_client_never_sees_the_provider_key_or_its_auth_headers() throws Exception {
        upstream.reply(Scripted.text("a").header("x-api-key", ANTHROPIC_KEY).header("request-id", "req_1"));
        var sink = call(proxy(), Api.ANTHROPIC, anthropicToken, ANTHROPIC_CALL);

        assertThat(sink.status).isEqualTo(200);
        assertThat(sink.headers).containsEntry("request-id", "req_1").doesNotContainKey("x-api-key");
        assertThat(sink.headers.toString() + sink.text()).doesNotContain(ANTHROPIC_KEY);
    }

    @Test
    void one_record_per_answered_call_with_its_usage_prompt_and_reply() throws Exception {
        upstream.reply(Scripted.text("hello").usage(100, 20, 50, 10), Scripted.text("hi there").usage(30, 4, 1000, 0));

        var anthropic = call(proxy(), Api.ANTHROPIC, anthropicToken, ANTHROPIC_CALL);
        var openAi = call(proxy(), Api.OPENAI, openAiToken, OPENAI_CALL);

        assertThat(anthropic.status).isEqualTo(200);
        assertThat(json(anthropic).at("/content/0/text").asText()).isEqualTo("hello");
        assertThat(openAi.status).isEqualTo(200);
        assertThat(metering.recorded()).hasSize(2);
        var first = metering.recorded().get(0);
        assertThat(first.scope()).isEqualTo(anthropicScope);
        assertThat(first.api()).isEqualTo("anthropic");
        assertThat(first.model()).isEqualTo("claude-x");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.usage()).isEqualTo(new Usage(100, 20, 50, 10));
        assertThat(first.prompt()).containsExactly("{\"max_tokens\":64,\"model\":\"claude-x\"}", "{\"content\":\"hi\",\"role\":\"user\"}");
        assertThat(first.reply()).isEqualTo("{\"content\":[{\"text\":\"hello\",\"type\":\"text\"}],\"role\":\"assistant\"}");
        assertThat(first.latency()).isPositive();
        var second = metering.recorded().get(1);
        assertThat(second.scope()).isEqualTo(openAiScope);
        assertThat(second.usage()).isEqualTo(new Usage(30, 4, 1000, 0));
        assertThat(second.reply()).contains("\"content\":\"hi there\"");
        assertThat(upstream.requests().get(1).json().path("prompt_cache_key").asText()).isEqualTo("agentry-run-8");
        assertThat(upstream.requests().get(0).json().at("/messages/0/content/0/cache_control/type").asText()).isEqualTo("ephemeral");
    }

    @Test
    void streamed_calls_pass_through_as_events_and_are_metered_once() throws Exception {
        upstream.reply(Scripted.text("streamed").usage(11, 3, 200, 0), Scripted.toolCall("read", "{\"path\":\"a\"}").usage(40, 9, 64, 0));
        String anthropicStream = ANTHROPIC_CALL.replace("{\"model\"", "{\"stream\":true,\"model\"");
        String openAiStream = OPENAI_CALL.replace("{\"model\"", "{\"stream\":true,\"model\"");

        var anthropic = call(proxy(), Api.ANTHROPIC, anthropicToken, anthropicStream);
        var openAi = call(proxy(), Api.OPENAI, openAiToken, openAiStream);

        assertThat(anthropic.headers.get("content-type")).startsWith("text/event-stream");
        assertThat(anthropic.text()).contains("event: message_start").contains("text_delta");
        assertThat(openAi.text()).contains("data: [DONE]");
        assertThat(upstream.requests().get(1).json().at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(metering.recorded()).extracting(c -> c.usage())
                .containsExactly(new Usage(11, 3, 200, 0), new Usage(40, 9, 64, 0));
        assertThat(metering.recorded().get(0).reply()).contains("streamed");
        assertThat(metering.recorded().get(1).reply()).contains("\"name\":\"read\"").contains("{\\\"path\\\":\\\"a\\\"}");
    }

    @Test
    void a_429_is_passed_through_with_its_retry_after_and_not_billed() throws Exception {
        upstream.reply(Scripted.error(429).header("retry-after", "17"), Scripted.error(429).header("retry-after", "3"));

        var anthropic = call(proxy(), Api.ANTHROPIC, anthropicToken, ANTHROPIC_CALL);
        var openAi = call(proxy(), Api.OPENAI, openAiToken, OPENAI_CALL);

        assertThat(anthropic.status).isEqualTo(429);
        assertThat(anthropic.headers).containsEntry("retry-after", "17");
        assertThat(json(anthropic).at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(openAi.status).isEqualTo(429);
        assertThat(openAi.headers).containsEntry("retry-after", "3");
        assertThat(metering.recorded()).isEmpty();
    }

    @Test
    void a_500_from_the_provider_is_passed_through_and_not_billed() throws Exception {
        upstream.reply(Scripted.error(500).message("upstream broke"));
        var sink = call(proxy(), Api.OPENAI, openAiToken, OPENAI_CALL);

        assertThat(sink.status).isEqualTo(500);
        assertThat(sink.text()).contains("upstream broke");
        assertThat(sink.finished).isTrue();
        assertThat(metering.recorded()).isEmpty();
    }

    @Test
    void a_body_over_the_limit_is_a_413_and_the_provider_is_not_called() throws Exception {
        var small = proxy(new GatewayProxy.Settings(Duration.ofSeconds(5), 1024),
                URI.create(upstream.anthropicBaseUrl()), URI.create(upstream.openAiBaseUrl()));
        String big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2000) + "\"}]}";

        var sink = call(small, Api.ANTHROPIC, anthropicToken, big);
        var declared = call(small, Api.OPENAI, openAiToken, Map.of("content-length", "999999999"), OPENAI_CALL);

        assertThat(sink.status).isEqualTo(413);
        assertThat(json(sink).at("/error/type").asText()).isEqualTo("request_too_large");
        assertThat(declared.status).isEqualTo(413);
        assertThat(json(declared).at("/error/code").asText()).isEqualTo("request_too_large");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void a_call_on_the_path_of_the_other_api_is_a_400() throws Exception {
        var sink = call(proxy(), Api.OPENAI, anthropicToken, OPENAI_CALL);
        assertThat(sink.status).isEqualTo(400);
        assertThat(json(sink).at("/error/message").asText()).contains("/gateway/anthropic");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void a_malformed_request_is_a_400_in_the_providers_format_and_not_forwarded() throws Exception {
        var sink = call(proxy(), Api.OPENAI, openAiToken, "{\"messages\":[]}");
        assertThat(sink.status).isEqualTo(400);
        assertThat(json(sink).at("/error/param").asText()).isEqualTo("model");
        assertThat(upstream.requestCount()).isZero();
        assertThat(metering.admissions()).isZero();
    }

    @Test
    void an_unreachable_provider_is_a_502_and_a_silent_one_a_504() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var nowhere = proxy(GatewayProxy.Settings.DEFAULTS, URI.create("http://127.0.0.1:" + closedPort), URI.create(upstream.openAiBaseUrl()));
        var unreachable = call(nowhere, Api.ANTHROPIC, anthropicToken, ANTHROPIC_CALL);
        assertThat(unreachable.status).isEqualTo(502);
        assertThat(json(unreachable).at("/error/type").asText()).isEqualTo("api_error");

        upstream.reply(Scripted.hang());
        var impatient = proxy(new GatewayProxy.Settings(Duration.ofMillis(300), 1 << 20),
                URI.create(upstream.anthropicBaseUrl()), URI.create(upstream.openAiBaseUrl()));
        var silent = call(impatient, Api.OPENAI, openAiToken, OPENAI_CALL);
        assertThat(silent.status).isEqualTo(504);
        assertThat(json(silent).at("/error/code").asText()).isEqualTo("upstream_timeout");
        assertThat(metering.recorded()).isEmpty();
    }

    /**
     * The scripted server writes a stream in one go, so this provider is a paced one: it sends the first event,
     * then holds the rest until the test has seen that event come out of the gateway.
     */
    @Test
    void a_stream_reaches_the_client_before_the_provider_has_finished() throws Exception {
        try (var paced = new PacedAnthropicStream(5, 9)) {
            var gateway = proxy(GatewayProxy.Settings.DEFAULTS, paced.baseUrl(),
                    URI.create(upstream.openAiBaseUrl()));
            var sink = new RecordingSink();
            var done = CompletableFuture.runAsync(() -> {
                try {
                    gateway.handle(Api.ANTHROPIC, anthropicToken, name -> null,
                            ANTHROPIC_CALL.replace("{", "{\"stream\":true,").getBytes(StandardCharsets.UTF_8), sink);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });

            assertThat(sink.firstChunk.await(5, TimeUnit.SECONDS)).as("first event forwarded while the provider is still writing").isTrue();
            assertThat(sink.text()).contains("message_start").doesNotContain("message_delta");
            assertThat(metering.recorded()).isEmpty();
            paced.release();
            done.get(5, TimeUnit.SECONDS);
            assertThat(sink.text()).contains("message_delta");
            assertThat(metering.recorded()).singleElement().extracting(c -> c.usage()).isEqualTo(new Usage(5, 9, 0, 0));
        }
    }
}
