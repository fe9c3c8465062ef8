package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.agentry.agents.gateway.CanonicalJson;
import dev.agentry.agents.gateway.GatewayProxy;
import dev.agentry.agents.gateway.ResponseSink;
import dev.agentry.core.agent.AgentCheckpoints;
import dev.agentry.core.agent.ProviderEndpoint.Api;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.GatewayTokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model gateway over HTTP: agents reach their provider at {@code /gateway/anthropic} and
 * {@code /gateway/openai/v1} with a run-scoped token as their API key, and the built-in agent checkpoints its
 * conversation at {@code /gateway/agentry/v1/checkpoint} with the same token.
 *
 * <p>Bodies are read from the servlet stream here, not through Javalin's body, so the API's small body limit
 * does not apply: prompts run to megabytes. The gateway's own limit ({@link GatewayProxy.Settings#maxBodyBytes()})
 * applies to every route instead.
 */
public final class GatewayRoutes {
    public static final String ANTHROPIC_MESSAGES = "/gateway/anthropic/v1/messages";
    public static final String OPENAI_CHAT_COMPLETIONS = "/gateway/openai/v1/chat/completions";
    public static final String CHECKPOINT = "/gateway/agentry/v1/checkpoint";
    /** Where an agent on a runner asks the workspace's policy about a command before it runs it. */
    public static final String POLICY = "/gateway/agentry/v1/policy";

    private static final ObjectReader STRICT = CanonicalJson.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final GatewayProxy proxy;
    private final GatewayTokens tokens;
    private final AgentCheckpoints checkpoints;
    private final Clock clock;

    /** A workspace's secret values, taken out of checkpointed conversations before they are stored. */
    private java.util.function.Function<String, dev.agentry.core.secret.Redactor> redactors =
            workspace -> dev.agentry.core.secret.Redactor.of(List.of());

    /** The workspace's policy, asked by agents about their commands; none until {@link #decidingWith}. */
    private dev.agentry.core.policy.PolicyEngine policy = dev.agentry.core.policy.PolicyEngine.noPolicies();

    public GatewayRoutes decidingWith(dev.agentry.core.policy.PolicyEngine policy) {
        this.policy = policy;
        return this;
    }

    public GatewayRoutes redactingWith(java.util.function.Function<String, dev.agentry.core.secret.Redactor> byWorkspace) {
        this.redactors = byWorkspace;
        return this;
    }

    public GatewayRoutes(GatewayProxy proxy, GatewayTokens tokens, AgentCheckpoints checkpoints, Clock clock) {
        this.proxy = proxy;
        this.tokens = tokens;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /** Adds the gateway's routes: inside {@code Javalin.create(config -> gateway.addTo(config.routes))}. */
    public void addTo(RoutesConfig routes) {
        routes.post(ANTHROPIC_MESSAGES, ctx -> forward(ctx, Api.ANTHROPIC));
        routes.post(OPENAI_CHAT_COMPLETIONS, ctx -> forward(ctx, Api.OPENAI));
        routes.get(CHECKPOINT, this::loadCheckpoint);
        routes.put(CHECKPOINT, this::appendCheckpoint);
        routes.post(POLICY, this::decide);
    }

    private void forward(Context ctx, Api api) throws IOException {
        var sink = new ServletSink(ctx.res());
        proxy.handle(api, presentedToken(ctx), ctx::header, ctx.req().getInputStream(), sink);
    }

    /** What the agent's client sends as its API key: Anthropic's SDKs use {@code x-api-key}, OpenAI's a bearer token. */
    static String presentedToken(Context ctx) {
        String key = ctx.header("x-api-key");
        if (key != null && !key.isBlank()) {
            return key.strip();
        }
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    /** The policy's decision on a command an agent wants to run, for the attempt the token belongs to. */
    private void decide(Context ctx) {
        try {
            CallScope scope = scope(ctx);
            var body = Requests.object(ctx, false);
            Requests.allowOnly(body, "kind", "command");
            String kind = Requests.text(body, "kind", true, 40);
            if (!kind.equals(dev.agentry.core.policy.Action.RunCommand.KIND)) {
                throw ApiProblem.badRequest("kind", "agents ask about run-command only, got '" + Requests.abbreviate(kind) + "'");
            }
            String command = Requests.text(body, "command", true, 100_000);
            var context = new dev.agentry.core.policy.Action.Context(scope.workspace(), scope.runId(), scope.stepId(), null, null);
            var decision = policy.decide(scope.workspace(), new dev.agentry.core.policy.Action.RunCommand(context, command, null));
            var answer = new java.util.LinkedHashMap<String, Object>();
            answer.put("verdict", switch (decision.verdict()) {
                case ALLOW -> "allow";
                case DENY -> "deny";
                case NEEDS_APPROVAL -> "needs-approval";
            });
            answer.put("by", decision.policyVersion() == 0 ? "no policy" : "policy v" + decision.policyVersion() + ", rule " + decision.rule());
            if (decision.reason() != null) {
                answer.put("reason", decision.reason());
            }
            HttpApi.json(ctx, 200, answer);
        } catch (ApiProblem p) {
            HttpApi.problem(ctx, p);
        }
    }

    private void loadCheckpoint(Context ctx) {
        try {
            CallScope scope = scope(ctx);
            var checkpoint = checkpoints.load(scope);
            if (checkpoint.isEmpty()) {
                ctx.status(204);
                return;
            }
            var c = checkpoint.get();
            var out = new StringWriter();
            try (JsonGenerator g = ApiJson.MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeNumberField("turn", c.turn());
                g.writeArrayFieldStart("messages");
                for (String message : c.messages()) {
                    g.writeRawValue(message); // stored as canonical JSON by appendCheckpoint
                }
                g.writeEndArray();
                g.writeStringField("patch", c.patch());
                g.writeEndObject();
            }
            ctx.status(200).contentType("application/json").result(out.toString());
        } catch (ApiProblem p) {
            HttpApi.problem(ctx, p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void appendCheckpoint(Context ctx) {
        try {
            CallScope scope = scope(ctx);
            JsonNode body = body(ctx);
            Requests.allowOnly(body, "turn", "messages", "patch");
            JsonNode turn = body.get("turn");
            if (turn == null || turn.isNull()) {
                throw ApiProblem.badRequest("turn", "required field is missing");
            }
            if (!turn.isIntegralNumber() || !turn.canConvertToInt() || turn.asInt() < 0) {
                throw ApiProblem.badRequest("turn", "expected the number of turns completed (a whole number, 0 or more), got " + Requests.kind(turn));
            }
            JsonNode messages = body.get("messages");
            if (messages == null || messages.isNull()) {
                throw ApiProblem.badRequest("messages", "required field is missing");
            }
            if (!messages.isArray()) {
                throw ApiProblem.badRequest("messages", "expected a list of the messages the turn appended, got " + Requests.kind(messages));
            }
            List<String> appended = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                if (!messages.get(i).isObject()) {
                    throw ApiProblem.badRequest("messages[" + i + "]", "expected a message object, got " + Requests.kind(messages.get(i)));
                }
                appended.add(redactors.apply(scope.workspace()).redact(CanonicalJson.write(messages.get(i))));
            }
            JsonNode patch = body.get("patch");
            if (patch != null && !patch.isNull() && !patch.isTextual()) {
                throw ApiProblem.badRequest("patch", "expected the working tree's changes as a git diff (a string) or null, got " + Requests.kind(patch));
            }
            checkpoints.append(scope, turn.asInt(), appended, patch == null || patch.isNull() ? null : patch.asText());
            ctx.status(204);
        } catch (ApiProblem p) {
            HttpApi.problem(ctx, p);
        }
    }

    private CallScope scope(Context ctx) {
        String token = presentedToken(ctx);
        return (token == null ? java.util.Optional.<CallScope>empty() : tokens.resolve(token, clock.instant()))
                .orElseThrow(() -> new ApiProblem(401, "unauthorized", "Not authorized",
                        "a valid gateway token is required in x-api-key or Authorization: Bearer", null, null));
    }

    private JsonNode body(Context ctx) {
        int max = proxy.settings().maxBodyBytes();
        if (ctx.req().getContentLengthLong() > max) {
            throw tooLarge(max);
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(max + 1);
        } catch (IOException e) {
            throw ApiProblem.badRequest("", "the request body could not be read");
        }
        if (bytes.length > max) {
            throw tooLarge(max);
        }
        if (bytes.length == 0) {
            throw ApiProblem.badRequest("", "the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiProblem.badRequest("", "the request body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("", "expected a JSON object, got " + (node == null ? "nothing" : Requests.kind(node)));
        }
        return node;
    }

    private static ApiProblem tooLarge(int max) {
        return new ApiProblem(413, "body-too-large", "The request body is too large",
                "gateway request bodies are limited to " + max + " bytes", null, null);
    }

    /**
     * Writes straight to the servlet stream, past Javalin's result and compression, so each chunk is flushed to
     * the agent as the provider sends it.
     */
    private static final class ServletSink implements ResponseSink {
        private final HttpServletResponse response;
        private ServletOutputStream out;

        ServletSink(HttpServletResponse response) {
            this.response = response;
        }

        @Override
        public void start(int status, Map<String, String> headers) throws IOException {
            response.setStatus(status);
            headers.forEach(response::setHeader);
            out = response.getOutputStream();
        }

        @Override
        public void write(byte[] chunk, int offset, int length) throws IOException {
            out.write(chunk, offset, length);
            out.flush();
        }

        @Override
        public void finish() throws IOException {
            out.close();
        }
    }
}
