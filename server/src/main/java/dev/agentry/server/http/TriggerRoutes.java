package dev.agentry.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.pipeline.Problem;
import dev.agentry.core.trigger.InvalidTrigger;
import dev.agentry.core.trigger.PayloadMapping;
import dev.agentry.core.trigger.Receipt;
import dev.agentry.core.trigger.Trigger;
import dev.agentry.core.trigger.TriggerService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Webhook triggers over HTTP: their management under {@code /api/workspaces/{workspace}/triggers}, and the
 * ingress {@code POST /hooks/{workspace}/{trigger}} where senders deliver.
 *
 * <p>The ingress reads the body from the servlet stream, as bytes: the signature covers exactly what was sent, and
 * the API's own body limit does not apply (this route has its own, {@link #DEFAULT_MAX_DELIVERY_BYTES}). It answers
 * 202 with the run a delivery started, 200 with the run a redelivery started the first time, 204 for a delivery
 * that starts nothing (a ping, a filtered-out event), and problem+json otherwise. Nothing it answers or logs
 * carries the secret.
 *
 * <p>Every handler answers its own problems, so the routes work on any Javalin app.
 */
public final class TriggerRoutes {
    public static final String TRIGGERS = HttpApi.WS + "/triggers";
    public static final String TRIGGER = HttpApi.WS + "/triggers/{name}";
    public static final String HOOK = "/hooks/{workspace}/{trigger}";
    public static final int DEFAULT_MAX_DELIVERY_BYTES = 1 << 20;

    private static final Pattern INPUT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final int MAX_EXPRESSION = 2000;
    private static final int MAX_INPUTS = 100;
    private static final int MAX_EVENTS = 50;

    private final TriggerService triggers;
    private final int maxDeliveryBytes;

    public TriggerRoutes(TriggerService triggers) {
        this(triggers, DEFAULT_MAX_DELIVERY_BYTES);
    }

    public TriggerRoutes(TriggerService triggers, int maxDeliveryBytes) {
        this.triggers = triggers;
        this.maxDeliveryBytes = maxDeliveryBytes;
    }

    /** Adds every route: inside {@code Javalin.create(config -> triggerRoutes.addTo(config.routes))}. */
    public void addTo(RoutesConfig routes) {
        routes.post(TRIGGERS, this::save);
        routes.get(TRIGGERS, this::list);
        routes.get(TRIGGER, this::get);
        routes.delete(TRIGGER, this::delete);
        routes.post(HOOK, this::receive);
    }

    /** A trigger as the API shows it: the secret by name only, and where to deliver. */
    public record TriggerView(String name, String pipeline, String format, String secret, Map<String, String> inputs,
                              List<String> events, String repository, boolean enabled, Instant createdAt, String hook) {
        static TriggerView of(Trigger t) {
            return new TriggerView(t.name(), t.pipeline(), t.format().wireName(), t.secretName(), t.inputs(), t.events(),
                    t.repository(), t.enabled(), t.createdAt(), "/hooks/" + t.workspace() + "/" + t.name());
        }
    }

    /** What a delivery that started (or found) a run is answered with. */
    public record DeliveryAnswer(long run, boolean duplicate, String trigger, String runUrl) {}

    // ---- management ----------------------------------------------------------------------------

    /** {@code POST /api/workspaces/{workspace}/triggers}: creates a trigger, or replaces the one of that name. */
    public void save(Context ctx) {
        answering(ctx, () -> {
            String ws = ctx.pathParam("workspace");
            var trigger = trigger(ws, Requests.object(ctx, false));
            try {
                HttpApi.json(ctx, 201, TriggerView.of(triggers.save(trigger)));
            } catch (InvalidTrigger e) {
                throw new ApiProblem(422, "invalid-trigger", "The trigger does not fit what it refers to", e.getMessage(),
                        e.problems().get(0).field(), e.problems());
            }
        });
    }

    /** {@code GET /api/workspaces/{workspace}/triggers}. */
    public void list(Context ctx) {
        answering(ctx, () -> HttpApi.json(ctx, 200, Map.of("triggers",
                triggers.list(ctx.pathParam("workspace")).stream().map(TriggerView::of).toList())));
    }

    /** {@code GET /api/workspaces/{workspace}/triggers/{name}}. */
    public void get(Context ctx) {
        answering(ctx, () -> {
            String ws = ctx.pathParam("workspace");
            String name = ctx.pathParam("name");
            var trigger = triggers.find(ws, name).orElseThrow(() -> notFound(ws, name));
            HttpApi.json(ctx, 200, TriggerView.of(trigger));
        });
    }

    /** {@code DELETE /api/workspaces/{workspace}/triggers/{name}}: the trigger and the record of its deliveries. */
    public void delete(Context ctx) {
        answering(ctx, () -> {
            String ws = ctx.pathParam("workspace");
            String name = ctx.pathParam("name");
            if (!triggers.delete(ws, name)) {
                throw notFound(ws, name);
            }
            ctx.status(204);
        });
    }

    /** The request body as a trigger, every field checked for its shape; what it refers to is checked on saving. */
    private static Trigger trigger(String workspace, JsonNode body) {
        Requests.allowOnly(body, "name", "pipeline", "format", "secret", "inputs", "events", "repository", "enabled");
        String name = Requests.text(body, "name", true, 63);
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "'" + Requests.abbreviate(name)
                    + "' is not a valid trigger name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        String pipeline = Requests.text(body, "pipeline", true, 63);
        if (!PipelineParser.NAME.matcher(pipeline).matches()) {
            throw ApiProblem.badRequest("pipeline", "'" + Requests.abbreviate(pipeline) + "' is not a valid pipeline name");
        }
        String formatName = Requests.text(body, "format", true, 20);
        Trigger.Format format = Trigger.Format.fromWire(formatName).orElseThrow(() -> ApiProblem.badRequest("format",
                "unknown format '" + Requests.abbreviate(formatName) + "'; expected github or generic"));
        String secret = Requests.text(body, "secret", true, 100);
        if (!SECRET_NAME.matcher(secret).matches()) {
            throw ApiProblem.badRequest("secret", "expected the name of a secret (letters, digits, '-', '_' or '.'), "
                    + "not the secret itself");
        }
        var inputs = inputs(body);
        var events = events(body);
        String repository = Requests.text(body, "repository", false, 63);
        if (repository != null && !PipelineParser.NAME.matcher(repository).matches()) {
            throw ApiProblem.badRequest("repository", "'" + Requests.abbreviate(repository) + "' is not a valid repository name");
        }
        JsonNode enabled = body.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw ApiProblem.badRequest("enabled", "expected true or false, got " + Requests.kind(enabled));
        }
        return new Trigger(workspace, name, pipeline, format, secret, inputs, events, repository,
                enabled == null || enabled.isNull() || enabled.asBoolean(), null);
    }

    private static Map<String, String> inputs(JsonNode body) {
        JsonNode v = body.get("inputs");
        var inputs = new LinkedHashMap<String, String>();
        if (v == null || v.isNull()) {
            return inputs;
        }
        if (!v.isObject()) {
            throw ApiProblem.badRequest("inputs", "expected an object of input name to JSONPath or text, got " + Requests.kind(v));
        }
        if (v.size() > MAX_INPUTS) {
            throw ApiProblem.badRequest("inputs", "at most " + MAX_INPUTS + " inputs, got " + v.size());
        }
        for (var e : v.properties()) {
            String field = "inputs." + e.getKey();
            if (!INPUT_NAME.matcher(e.getKey()).matches()) {
                throw ApiProblem.badRequest(field, "'" + Requests.abbreviate(e.getKey()) + "' is not a valid input name");
            }
            if (!e.getValue().isTextual()) {
                throw ApiProblem.badRequest(field, "expected a JSONPath such as $.issue.title, or text, got " + Requests.kind(e.getValue()));
            }
            String expression = e.getValue().asText();
            if (expression.length() > MAX_EXPRESSION) {
                throw ApiProblem.badRequest(field, "at most " + MAX_EXPRESSION + " characters");
            }
            inputs.put(e.getKey(), Requests.storable(field, expression));
        }
        var problems = new ArrayList<Problem>();
        PayloadMapping.compile(inputs, problems);
        if (!problems.isEmpty()) {
            throw new ApiProblem(400, "invalid-request", "The request is not valid", String.join("; ",
                    problems.stream().map(Problem::toString).toList()), problems.get(0).field(), problems);
        }
        return inputs;
    }

    private static List<String> events(JsonNode body) {
        JsonNode v = body.get("events");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw ApiProblem.badRequest("events", "expected a list of event names such as [\"issues\", \"push\"], got " + Requests.kind(v));
        }
        if (v.size() > MAX_EVENTS) {
            throw ApiProblem.badRequest("events", "at most " + MAX_EVENTS + " events, got " + v.size());
        }
        var events = new ArrayList<String>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw ApiProblem.badRequest("events[" + i + "]", "expected an event name, got " + Requests.kind(v.get(i)));
            }
            String event = v.get(i).asText();
            if (!Trigger.EVENT.matcher(event).matches()) {
                throw ApiProblem.badRequest("events[" + i + "]", "'" + Requests.abbreviate(event) + "' is not an event; expected "
                        + "a name such as issues or push, or a name and an action such as issues.opened");
            }
            events.add(event);
        }
        return events;
    }

    private static ApiProblem notFound(String ws, String name) {
        return ApiProblem.notFound("name", "no trigger '" + Requests.abbreviate(name) + "' in workspace '" + Requests.abbreviate(ws) + "'");
    }

    // ---- ingress -------------------------------------------------------------------------------

    /** {@code POST /hooks/{workspace}/{trigger}}: one delivery, signed. */
    public void receive(Context ctx) {
        answering(ctx, () -> {
            String ws = ctx.pathParam("workspace");
            String name = ctx.pathParam("trigger");
            byte[] body = rawBody(ctx);
            switch (triggers.receive(ws, name, ctx::header, body)) {
                case Receipt.Accepted a -> HttpApi.json(ctx, a.duplicate() ? 200 : 202, new DeliveryAnswer(a.runId(), a.duplicate(),
                        name, HttpApi.WS.replace("{workspace}", ws) + "/runs/" + a.runId()));
                case Receipt.Ignored i -> ctx.status(204).header("X-Agentry-Ignored", headerSafe(i.reason()));
                case Receipt.Refused r -> throw refusal(r);
            }
        });
    }

    /** The body exactly as sent, up to the limit. */
    private byte[] rawBody(Context ctx) {
        if (ctx.req().getContentLengthLong() > maxDeliveryBytes) {
            throw tooLarge();
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(maxDeliveryBytes + 1);
        } catch (IOException e) {
            throw ApiProblem.badRequest("body", "the delivery's body could not be read");
        }
        if (bytes.length > maxDeliveryBytes) {
            throw tooLarge();
        }
        return bytes;
    }

    private ApiProblem tooLarge() {
        return new ApiProblem(413, "body-too-large", "The request body is too large",
                "webhook deliveries are limited to " + maxDeliveryBytes + " bytes", "body", null);
    }

    private static ApiProblem refusal(Receipt.Refused r) {
        String field = r.field();
        return switch (r.refusal()) {
            case UNKNOWN_TRIGGER -> new ApiProblem(404, "unknown-trigger", "No such trigger", r.detail(), field, null);
            case BAD_SIGNATURE -> new ApiProblem(401, "bad-signature", "The delivery's signature is not valid", r.detail(), field, null);
            case BAD_DELIVERY -> new ApiProblem(400, "invalid-delivery", "The delivery is not valid", r.detail(), field, null);
            case UNMAPPABLE -> new ApiProblem(400, "unmappable-payload", "The payload does not map onto the pipeline's inputs",
                    r.detail(), field, List.of(new Problem(field, r.detail())));
            case DISABLED -> new ApiProblem(409, "trigger-disabled", "The trigger is disabled", r.detail(), field, null);
            case SECRET_UNAVAILABLE -> new ApiProblem(503, "secret-unavailable", "The trigger cannot check signatures yet",
                    r.detail(), field, null);
            case NOT_STARTABLE -> new ApiProblem(422, "run-not-startable", "The trigger's run cannot start", r.detail(), field, null);
            case CONFLICT -> new ApiProblem(409, "conflict", "The delivery conflicts with an earlier one", r.detail(), field, null);
        };
    }

    /** A header value from text that may carry what a sender wrote: printable ASCII, one line, bounded. */
    private static String headerSafe(String text) {
        String ascii = text.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() <= 200 ? ascii : ascii.substring(0, 197) + "...";
    }

    @FunctionalInterface
    private interface Work {
        void run();
    }

    private static void answering(Context ctx, Work work) {
        try {
            work.run();
        } catch (ApiProblem p) {
            HttpApi.problem(ctx, p);
        }
    }
}
