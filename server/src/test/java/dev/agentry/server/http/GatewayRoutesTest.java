package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentry.agents.gateway.FakeGatewayTokens;
import dev.agentry.agents.gateway.FakeMetering;
import dev.agentry.agents.gateway.GatewayProxy;
import dev.agentry.agents.stub.Scripted;
import dev.agentry.agents.stub.PacedAnthropicStream;
import dev.agentry.agents.stub.ScriptedModelServer;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.Usage;
import io.javalin.Javalin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's HTTP routes on a real server, in front of a scripted provider. */
class GatewayRoutesTest {
    static final String ANTHROPIC_KEY = "sk-ant-real";
    static final String OPENAI_KEY = "sk-openai-real";
    static final String ANTHROPIC_CALL = "{\"model\":\"claude-x\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String OPENAI_CALL = "{\"model\":\"gpt-x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final FakeGatewayTokens tokens = new FakeGatewayTokens();
    final FakeMetering metering = new FakeMetering();
    final FakeAgentCheckpoints checkpoints = new FakeAgentCheckpoints();
    final CallScope anthropicScope = new CallScope(3, "code", "attempt-a", "default", "acme", "anthropic");
    final CallScope openAiScope = new CallScope(4, "review", "attempt-b", "default", "acme", "openai");
    ScriptedModelServer upstream;
    Javalin app;
    String base;
    String anthropicToken;
    String openAiToken;
    URI anthropicBase;

    @BeforeEach
    void start() {
        upstream = ScriptedModelServer.start();
        anthropicBase = URI.create(upstream.anthropicBaseUrl());
        anthropicToken = tokens.mint(anthropicScope, Instant.now().plusSeconds(600));
        openAiToken = tokens.mint(openAiScope, Instant.now().plusSeconds(600));
        startGateway();
    }

    void startGateway() {
        if (app != null) {
            app.stop();
        }
        Map<String, ProviderEndpoint> providers = Map.of(
                "anthropic", new ProviderEndpoint("anthropic", Api.ANTHROPIC, anthropicBase, ANTHROPIC_KEY),
                "openai", new ProviderEndpoint("openai", Api.OPENAI, URI.create(upstream.openAiBaseUrl()), OPENAI_KEY));
        var proxy = new GatewayProxy(tokens, name -> Optional.ofNullable(providers.get(name)), metering,
                GatewayProxy.httpClient(Duration.ofSeconds(2)), GatewayProxy.Settings.DEFAULTS, Clock.systemUTC());
        var gateway = new GatewayRoutes(proxy, tokens, checkpoints, Clock.systemUTC());
        app = Javalin.create(config -> {
            config.http.maxRequestSize = 64 * 1024; // the API's own limit, which the gateway must not inherit
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            gateway.addTo(config.routes);
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
        upstream.close();
    }

    HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    @Test
    void an_anthropic_client_calls_with_its_token_in_x_api_key_and_the_call_is_metered() throws Exception {
        upstream.reply(Scripted.text("hello").usage(10, 2, 300, 0).header("request-id", "req_9"));

        var response = send("POST", GatewayRoutes.ANTHROPIC_MESSAGES, Map.of("x-api-key", anthropicToken,
                "anthropic-version", "2023-06-01", "content-type", "application/json"), ANTHROPIC_CALL);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).at("/content/0/text").asText()).isEqualTo("hello");
        assertThat(response.headers().firstValue("request-id")).hasValue("req_9");
        assertThat(upstream.lastRequest().header("x-api-key")).isEqualTo(ANTHROPIC_KEY);
        await().atMost(Duration.ofSeconds(5)).until(() -> metering.recorded().size() == 1);
        assertThat(metering.recorded().get(0).usage()).isEqualTo(new Usage(10, 2, 300, 0));
        assertThat(metering.recorded().get(0).scope()).isEqualTo(anthropicScope);
    }

    @Test
    void an_openai_client_calls_with_a_bearer_token() throws Exception {
        upstream.reply(Scripted.text("hi").usage(5, 1, 0, 0));
        var response = send("POST", GatewayRoutes.OPENAI_CHAT_COMPLETIONS, Map.of("Authorization", "Bearer " + openAiToken), OPENAI_CALL);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).at("/choices/0/message/content").asText()).isEqualTo("hi");
        assertThat(upstream.lastRequest().header("authorization")).isEqualTo("Bearer " + OPENAI_KEY);
        await().atMost(Duration.ofSeconds(5)).until(() -> metering.recorded().size() == 1);
    }

    @Test
    void a_wrong_token_is_a_401_in_the_providers_format_and_the_provider_is_not_called() throws Exception {
        var anthropic = send("POST", GatewayRoutes.ANTHROPIC_MESSAGES, Map.of("x-api-key", "agt_nope"), ANTHROPIC_CALL);
        var openAi = send("POST", GatewayRoutes.OPENAI_CHAT_COMPLETIONS, Map.of(), OPENAI_CALL);

        assertThat(anthropic.statusCode()).isEqualTo(401);
        assertThat(json(anthropic).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(openAi.statusCode()).isEqualTo(401);
        assertThat(json(openAi).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void a_spent_budget_is_a_402_and_the_provider_is_not_called() throws Exception {
        metering.refuse("run budget spent");
        var response = send("POST", GatewayRoutes.OPENAI_CHAT_COMPLETIONS, Map.of("Authorization", "Bearer " + openAiToken), OPENAI_CALL);

        assertThat(response.statusCode()).isEqualTo(402);
        assertThat(json(response).at("/error/type").asText()).isEqualTo("budget_exceeded");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void a_429_passes_through_with_its_retry_after_and_is_not_billed() throws Exception {
        upstream.reply(Scripted.error(429).header("retry-after", "12"), Scripted.error(500));
        var limited = send("POST", GatewayRoutes.ANTHROPIC_MESSAGES, Map.of("x-api-key", anthropicToken), ANTHROPIC_CALL);
        var broken = send("POST", GatewayRoutes.ANTHROPIC_MESSAGES, Map.of("x-api-key", anthropicToken), ANTHROPIC_CALL);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValue("12");
        assertThat(json(limited).at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(broken.statusCode()).isEqualTo(500);
        Thread.sleep(100); // a record, if any were made, follows the response closely
        assertThat(metering.recorded()).isEmpty();
    }

    @Test
    void a_prompt_far_above_the_apis_body_limit_is_forwarded() throws Exception {
        upstream.reply(Scripted.text("read it"));
        String big = "x".repeat(5 << 20);
        var response = send("POST", GatewayRoutes.ANTHROPIC_MESSAGES, Map.of("x-api-key", anthropicToken),
                "{\"model\":\"m\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastRequest().json().at("/messages/0/content/0/text").asText()).hasSize(big.length());
    }

    /**
     * Announced by its length, a body over the limit is refused before it is read; a raw socket sends the headers
     * alone, since a client that keeps writing the body would see the connection closed under it.
     */
    @Test
    void a_body_announced_over_32_mib_is_a_413_in_the_providers_format() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(5000);
            String head = "POST " + GatewayRoutes.OPENAI_CHAT_COMPLETIONS + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + openAiToken + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + ((32 << 20) + 1) + "\r\n\r\n{\"model\":";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).contains("\"code\":\"request_too_large\"");
        }
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void a_body_of_exactly_32_mib_is_not_refused_for_its_size() throws Exception {
        upstream.reply(Scripted.text("ok"));
        String prefix = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        String suffix = "\"}]}";
        String body = prefix + "x".repeat((32 << 20) - prefix.length() - suffix.length()) + suffix;
        var response = send("POST", GatewayRoutes.OPENAI_CHAT_COMPLETIONS, Map.of("Authorization", "Bearer " + openAiToken), body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    /** The scripted provider writes a stream at once; this one holds the rest of its stream until released. */
    @Test
    void a_stream_reaches_the_client_before_the_provider_finishes() throws Exception {
        try (var paced = new PacedAnthropicStream(4, 6)) {
            anthropicBase = paced.baseUrl();
            startGateway();
            var request = HttpRequest.newBuilder(URI.create(base + GatewayRoutes.ANTHROPIC_MESSAGES))
                    .header("x-api-key", anthropicToken)
                    .POST(HttpRequest.BodyPublishers.ofString(ANTHROPIC_CALL.replace("{", "{\"stream\":true,"))).build();
            var response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            try (InputStream in = response.body()) {
                String first = readUntil(in, "\n\n");
                assertThat(first).contains("message_start");
                assertThat(metering.recorded()).isEmpty();
                paced.release();
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("message_delta");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> metering.recorded().size() == 1);
            assertThat(metering.recorded().get(0).usage()).isEqualTo(new Usage(4, 6, 0, 0));
        }
    }

    private static String readUntil(InputStream in, String end) throws Exception {
        var text = new StringBuilder();
        while (!text.toString().endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }

    @Test
    void a_checkpoint_is_absent_then_appended_turn_by_turn_and_read_back() throws Exception {
        var auth = Map.of("x-api-key", anthropicToken);
        assertThat(send("GET", GatewayRoutes.CHECKPOINT, auth, null).statusCode()).isEqualTo(204);

        var first = send("PUT", GatewayRoutes.CHECKPOINT, auth,
                "{\"turn\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}],\"patch\":null}");
        var second = send("PUT", GatewayRoutes.CHECKPOINT, auth,
                "{\"turn\":2,\"messages\":[{\"content\":\"more\",\"role\":\"user\"}],\"patch\":\"diff --git a/x b/x\\n\"}");
        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(second.statusCode()).isEqualTo(204);

        var loaded = send("GET", GatewayRoutes.CHECKPOINT, Map.of("Authorization", "Bearer " + anthropicToken), null);
        assertThat(loaded.statusCode()).isEqualTo(200);
        JsonNode body = json(loaded);
        assertThat(body.path("turn").asInt()).isEqualTo(2);
        assertThat(body.path("messages")).hasSize(3);
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("hi");
        assertThat(body.at("/messages/2/content").asText()).isEqualTo("more");
        assertThat(body.path("patch").asText()).isEqualTo("diff --git a/x b/x\n");
        assertThat(send("GET", GatewayRoutes.CHECKPOINT, Map.of("x-api-key", openAiToken), null).statusCode())
                .as("another attempt has its own checkpoint").isEqualTo(204);
    }

    @Test
    void checkpoints_need_a_valid_token() throws Exception {
        var get = send("GET", GatewayRoutes.CHECKPOINT, Map.of(), null);
        var put = send("PUT", GatewayRoutes.CHECKPOINT, Map.of("x-api-key", "agt_nope"), "{\"turn\":1,\"messages\":[]}");
        assertThat(get.statusCode()).isEqualTo(401);
        assertThat(put.statusCode()).isEqualTo(401);
        assertThat(json(put).path("type").asText()).isEqualTo("urn:agentry:problem:unauthorized");
    }

    @Test
    void a_bad_checkpoint_body_is_a_400_naming_the_field_and_nothing_is_stored() throws Exception {
        var auth = Map.of("x-api-key", anthropicToken);
        String[][] cases = {
                {"not json", ""},
                {"[1]", ""},
                {"{\"messages\":[]}", "turn"},
                {"{\"turn\":-1,\"messages\":[]}", "turn"},
                {"{\"turn\":1.5,\"messages\":[]}", "turn"},
                {"{\"turn\":1}", "messages"},
                {"{\"turn\":1,\"messages\":{}}", "messages"},
                {"{\"turn\":1,\"messages\":[\"hi\"]}", "messages[0]"},
                {"{\"turn\":1,\"messages\":[],\"patch\":7}", "patch"},
                {"{\"turn\":1,\"messages\":[],\"extra\":true}", "extra"},
                {"{\"turn\":1,\"turn\":2,\"messages\":[]}", ""},
        };
        for (String[] c : cases) {
            var response = send("PUT", GatewayRoutes.CHECKPOINT, auth, c[0]);
            assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(response.headers().firstValue("content-type")).as(c[0]).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(json(response).path("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(send("GET", GatewayRoutes.CHECKPOINT, auth, null).statusCode()).isEqualTo(204);
    }
}
