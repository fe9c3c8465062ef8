package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.secret.Exchange;
import dev.agentry.core.secret.InvalidSecret;
import dev.agentry.core.secret.SecretInfo;
import dev.agentry.core.secret.SecretUnreadable;
import dev.agentry.core.secret.Secrets;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets vault over HTTP: a workspace's secrets are set, listed and deleted by name, and a job exchanges a
 * lease's token for its value at {@link #EXCHANGE}. No answer but the exchange's carries a value, and no error
 * repeats what the request sent: a value or a token in a problem's detail would end up in some client's log.
 * Nothing here logs a value or a token.
 */
public final class SecretRoutes {
    public static final String SECRETS = "/api/workspaces/{workspace}/secrets";
    public static final String SECRET = SECRETS + "/{name}";
    public static final String EXCHANGE = "/api/leases/exchange";

    private static final Logger log = LoggerFactory.getLogger(SecretRoutes.class);
    private static final ObjectReader BODY = ApiJson.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Secrets secrets;
    private final Clock clock;

    public SecretRoutes(Secrets secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    /** Adds the four routes; their refusals are {@link ApiProblem}s, which {@link HttpApi} answers as problem+json. */
    public void addTo(RoutesConfig routes) {
        routes.put(SECRET, this::put);
        routes.get(SECRETS, this::list);
        routes.delete(SECRET, this::delete);
        routes.post(EXCHANGE, this::exchange);
    }

    /** {@code PUT .../secrets/{name}} with {@code {"value": "...", "integration": "..."}}: 201 when new, 200 when replaced. */
    public void put(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String name = ctx.pathParam("name");
        JsonNode body = body(ctx);
        Requests.allowOnly(body, "value", "integration");
        JsonNode v = body.get("value");
        if (v == null || v.isNull()) {
            throw ApiProblem.badRequest("value", "required field is missing");
        }
        if (!v.isTextual()) {
            throw ApiProblem.badRequest("value", "expected the secret's value as a string");
        }
        String integration = Requests.text(body, "integration", false, 100);
        char[] value = v.asText().toCharArray();
        try {
            SecretInfo info = secrets.put(ws, integration, name, value);
            HttpApi.json(ctx, info.version() == 1 ? 201 : 200, info);
        } catch (InvalidSecret e) {
            throw ApiProblem.badRequest(e.field(), e.getMessage());
        } catch (NotFound e) {
            throw ApiProblem.notFound(e.field(), e.getMessage());
        } finally {
            Arrays.fill(value, '\0');
        }
    }

    /** {@code GET .../secrets}: what each secret is, never what it holds. */
    public void list(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("secrets", secrets.list(ctx.pathParam("workspace"))));
    }

    /** {@code DELETE .../secrets/{name}}: the secret and its leases go. */
    public void delete(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String name = ctx.pathParam("name");
        if (!secrets.delete(ws, name)) {
            throw ApiProblem.notFound("name", "no secret '" + Requests.abbreviate(name) + "' in workspace '" + Requests.abbreviate(ws) + "'");
        }
        ctx.status(204);
    }

    /**
     * {@code POST /api/leases/exchange} with {@code {"token": "..."}}: the value, once. 410 for a lease already
     * exchanged or expired, 404 for a token no lease has.
     */
    public void exchange(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        JsonNode body = body(ctx);
        Requests.allowOnly(body, "token");
        JsonNode t = body.get("token");
        if (t == null || t.isNull()) {
            throw ApiProblem.badRequest("token", "required field is missing");
        }
        if (!t.isTextual() || t.asText().isBlank()) {
            throw ApiProblem.badRequest("token", "expected the lease's token as a string");
        }
        Exchange result;
        try {
            result = secrets.exchange(t.asText(), clock.instant());
        } catch (SecretUnreadable e) {
            log.error("a lease could not be exchanged: {}", e.getMessage());
            throw new ApiProblem(500, "secret-unreadable", "The secret cannot be decrypted",
                    "the leased secret cannot be decrypted on this server; its log says why", null, null);
        }
        switch (result) {
            case Exchange.Revealed r -> {
                log.info("lease on secret {} of workspace {} exchanged for run {} step {}", r.name(), r.workspace(), r.runId(), r.stepId());
                HttpApi.json(ctx, 200, Map.of("value", r.value()));
            }
            case Exchange.Refused refused -> throw switch (refused.reason()) {
                case UNKNOWN -> new ApiProblem(404, "unknown-lease", "No such lease", refused.reason().message(), "token", null);
                case ALREADY_EXCHANGED -> new ApiProblem(410, "lease-exchanged", "The lease was used", refused.reason().message(), "token", null);
                case EXPIRED -> new ApiProblem(410, "lease-expired", "The lease expired", refused.reason().message(), "token", null);
            };
        }
    }

    /** The body as a JSON object. A parse error says where, never what: Jackson's own message quotes the input. */
    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw ApiProblem.badRequest("", "the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = BODY.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw ApiProblem.badRequest("", "the body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")"));
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("", "expected a JSON object");
        }
        return node;
    }
}
