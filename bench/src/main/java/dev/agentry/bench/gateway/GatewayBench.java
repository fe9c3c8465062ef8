package dev.agentry.bench.gateway;

import dev.agentry.agents.gateway.GatewayProxy;
import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.agent.ProviderEndpoint;
import dev.agentry.core.spend.Admission;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.GatewayTokens;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.Metering;
import dev.agentry.server.http.GatewayRoutes;
import io.javalin.Javalin;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the model gateway adds to a call: the same calls made straight to a fast local provider and through the
 * gateway (its routes mounted in a real Javalin server on localhost, with in-memory tokens and metering), for a
 * non-streamed reply (time to the whole answer) and a streamed one (time to its first byte), at 1 and 100
 * concurrent callers, after a warm-up. The provider answers at once, so the difference is the gateway's cost.
 *
 * <p>{@code -Dbench.gateway.calls=N} calls per caller at concurrency 1 (default 2000); at 100 callers each makes
 * N/20.
 */
public final class GatewayBench {
    private static final String MODEL_REPLY = """
            {"id":"msg_bench","type":"message","role":"assistant","model":"bench","content":[{"type":"text","text":"All done: the tests pass."}],\
            "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1200,"output_tokens":12,"cache_read_input_tokens":9000,"cache_creation_input_tokens":300}}""";
    private static final String MODEL_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"bench","content":[],"usage":{"input_tokens":1200,"output_tokens":1,"cache_read_input_tokens":9000,"cache_creation_input_tokens":300}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"All done: the tests pass."}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":12}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    private GatewayBench() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        int calls = Integer.getInteger("bench.gateway.calls", 2000);
        String request = request();
        byte[] streamBytes = MODEL_STREAM.getBytes(StandardCharsets.UTF_8);
        byte[] replyBytes = MODEL_REPLY.getBytes(StandardCharsets.UTF_8);

        Javalin provider = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 32 << 20;
            config.routes.post("/v1/messages", ctx -> {
                boolean stream = ctx.body().contains("\"stream\":true");
                ctx.status(200).contentType(stream ? "text/event-stream" : "application/json");
                var out = ctx.res().getOutputStream();
                out.write(stream ? streamBytes : replyBytes);
                out.flush();
            });
        }).start("127.0.0.1", 0);

        var tokens = new InMemoryTokens();
        var metering = new CountingMetering();
        var endpoint = new ProviderEndpoint("anthropic", ProviderEndpoint.Api.ANTHROPIC,
                URI.create("http://127.0.0.1:" + provider.port()), "sk-bench");
        var proxy = new GatewayProxy(tokens, name -> Optional.of(endpoint), metering,
                GatewayProxy.httpClient(Duration.ofSeconds(5)), GatewayProxy.Settings.DEFAULTS, Clock.systemUTC());
        var routes = new GatewayRoutes(proxy, tokens, new NoCheckpoints(), Clock.systemUTC());
        Javalin gateway = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 64 * 1024;
            routes.addTo(config.routes);
        }).start("127.0.0.1", 0);
        String token = tokens.mint(new CallScope(1, "bench", "bench-1", "default", "bench", "anthropic"), Instant.now().plusSeconds(86_400));

        URI direct = URI.create("http://127.0.0.1:" + provider.port() + "/v1/messages");
        URI viaGateway = URI.create("http://127.0.0.1:" + gateway.port() + GatewayRoutes.ANTHROPIC_MESSAGES);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            System.out.printf("gateway bench: %d cores, Java %s, request body %d bytes, %d calls at 1 caller, %d per caller at 100%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.version(), request.length(), calls, Math.max(1, calls / 20));
            // Warm-up: every path, both shapes, until the JIT has settled.
            for (int round = 0; round < 2; round++) {
                for (boolean stream : new boolean[] {false, true}) {
                    run(client, direct, "sk-bench", request, stream, 1, calls / 2);
                    run(client, viaGateway, token, request, stream, 1, calls / 2);
                    run(client, direct, "sk-bench", request, stream, 100, Math.max(1, calls / 40));
                    run(client, viaGateway, token, request, stream, 100, Math.max(1, calls / 40));
                }
            }
            long recordedBefore = metering.recorded.get();
            System.out.println();
            System.out.println("| scenario | callers | direct p50 | direct p99 | gateway p50 | gateway p99 | added p50 | added p99 |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            for (boolean stream : new boolean[] {false, true}) {
                for (int callers : new int[] {1, 100}) {
                    int each = callers == 1 ? calls : Math.max(1, calls / 20);
                    long[] d = run(client, direct, "sk-bench", request, stream, callers, each);
                    long[] g = run(client, viaGateway, token, request, stream, callers, each);
                    System.out.printf("| %s | %d | %s | %s | %s | %s | %s | %s |%n",
                            stream ? "streamed, first byte" : "non-streamed, whole reply", callers,
                            ms(pct(d, 50)), ms(pct(d, 99)), ms(pct(g, 50)), ms(pct(g, 99)),
                            ms(pct(g, 50) - pct(d, 50)), ms(pct(g, 99) - pct(d, 99)));
                }
            }
            System.out.printf("%nmetered calls in the measured pass: %d%n", metering.recorded.get() - recordedBefore);
        } finally {
            gateway.stop();
            provider.stop();
        }
    }

    /** A typical agent turn: a system prompt, a few tools and a conversation of some 20 messages (~30 KB). */
    private static String request() {
        var messages = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            messages.append(i == 0 ? "" : ",")
                    .append("{\"role\":\"user\",\"content\":\"").append("Please look at file ").append(i).append(". ").append("lorem ipsum ".repeat(100)).append("\"},")
                    .append("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"").append("ok ".repeat(100)).append("\"}]}");
        }
        return "{\"model\":\"claude-bench\",\"max_tokens\":1024,\"system\":\"You are a careful engineer.\","
                + "\"tools\":[{\"name\":\"read_file\",\"description\":\"Reads a file\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}],"
                + "\"messages\":[" + messages + "]}";
    }

    /** Latencies in nanoseconds of {@code each} calls by each of {@code callers} concurrent callers. */
    private static long[] run(HttpClient client, URI uri, String key, String body, boolean stream, int callers, int each) throws Exception {
        String sent = stream ? "{\"stream\":true," + body.substring(1) : body;
        byte[] bytes = sent.getBytes(StandardCharsets.UTF_8);
        long[] latencies = new long[callers * each];
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                futures.add(executor.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        latencies[caller * each + i] = call(client, uri, key, bytes, stream);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        Arrays.sort(latencies);
        return latencies;
    }

    private static long call(HttpClient client, URI uri, String key, byte[] body, boolean stream) throws Exception {
        var request = HttpRequest.newBuilder(uri).header("x-api-key", key).header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        if (!stream) {
            var response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - start;
            check(response.statusCode());
            return took;
        }
        var response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            int first = in.read();
            long took = System.nanoTime() - start;
            check(response.statusCode());
            if (first < 0) {
                throw new IllegalStateException("empty stream");
            }
            in.readAllBytes();
            return took;
        }
    }

    private static void check(int status) {
        if (status != 200) {
            throw new IllegalStateException("unexpected status " + status);
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }

    /** Tokens in a map: the bench measures the gateway, not the token store. */
    private static final class InMemoryTokens implements GatewayTokens {
        private final java.util.Map<String, CallScope> scopes = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public String mint(CallScope scope, Instant expiresAt) {
            String token = "agt_" + java.util.UUID.randomUUID();
            scopes.put(token, scope);
            return token;
        }

        @Override
        public Optional<CallScope> resolve(String token, Instant now) {
            return Optional.ofNullable(scopes.get(token));
        }

        @Override
        public void revoke(String idempotencyKey) {
            scopes.values().removeIf(s -> s.idempotencyKey().equals(idempotencyKey));
        }
    }

    /** Admits every call and counts the ones recorded. */
    private static final class CountingMetering implements Metering {
        final AtomicLong recorded = new AtomicLong();

        @Override
        public Admission admit(CallScope scope) {
            return Admission.ADMITTED;
        }

        @Override
        public long record(MeteredCall call) {
            return recorded.incrementAndGet();
        }
    }

    private static final class NoCheckpoints implements AgentCheckpoints {
        @Override
        public Optional<Checkpoint> load(CallScope scope) {
            return Optional.empty();
        }

        @Override
        public void append(CallScope scope, int turn, List<String> appended, String patch) {}
    }
}
