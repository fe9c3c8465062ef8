package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.agentry.core.event.Delivery;
import dev.agentry.core.event.EventFilter;
import dev.agentry.core.event.EventHub;
import dev.agentry.core.event.Subscription;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log over WebSocket, with the semantics of the SSE stream in {@link EventRoutes}: at
 * {@code /api/workspaces/{ws}/ws} for one workspace and {@code /api/ws} for the fleet. docs/websocket.md
 * describes the protocol for clients; in short, every frame is a JSON text message:
 *
 * <ul>
 *   <li>The client sends {@code {"type":"subscribe","since":123,"types":["run.*"],"run":5}} (all but
 *       {@code type} optional). Nothing is sent before it. A later subscribe replaces the current one.
 *   <li>The server sends a snapshot first (unless {@code since} resumes after an id), then each event as the
 *       object SSE puts in {@code data:}. Events and snapshots carry an {@code id}; control messages do not:
 *       {@code {"type":"gap",...}} (a snapshot follows), {@code {"type":"cut-off",...}} (then the socket
 *       closes with 1013), {@code {"type":"heartbeat"}} when idle, and {@code {"type":"error","field":...,
 *       "detail":...}} for a subscribe message it cannot take, after which the connection stays open.
 * </ul>
 *
 * <p>Heartbeats are messages rather than WebSocket pings because a browser never shows pings to its page:
 * a message is what lets any client notice that a quiet stream has silently died.
 *
 * <p>Back-pressure: each subscribed connection has one virtual thread that takes the next delivery from
 * its {@link Subscription} and waits until Jetty has written it before taking another, so Jetty holds at
 * most one event of a stream at a time. A client that reads slowly leaves its events in the subscription's
 * bounded buffer, which cuts it off when full; one that stops reading altogether is dropped after
 * {@link #SEND_TIMEOUT}.
 */
final class EventSocket {
    private static final Logger log = LoggerFactory.getLogger(EventSocket.class);

    /** How long a client may leave one message unread before it is taken for stalled and dropped. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** A key written twice is refused, as in request bodies, rather than silently taking the last value. */
    private static final ObjectReader MESSAGE = ApiJson.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";

    private final EventHub hub;
    private final Predicate<String> workspaceExists;
    private final ApiAccess access;
    private final Duration heartbeat;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong streamNumbers = new AtomicLong();

    EventSocket(EventHub hub, Predicate<String> workspaceExists, ApiAccess access, Duration heartbeat) {
        this.access = access;
        this.hub = hub;
        this.workspaceExists = workspaceExists;
        this.heartbeat = heartbeat;
    }

    /** One workspace's events. The HTTP {@code before} checks do not see upgrades, so access and the workspace are checked here. */
    void workspace(WsConfig ws) {
        handle(ws, true);
    }

    /** Every workspace's events. */
    void fleet(WsConfig ws) {
        handle(ws, false);
    }

    /** A plain GET of a WebSocket endpoint: say how to use it rather than answer "no such endpoint". */
    static void upgradeRequired(Context ctx) {
        ctx.header("Upgrade", "websocket");
        throw new ApiProblem(426, "upgrade-required", "This endpoint speaks WebSocket",
                "connect with a WebSocket client (Upgrade: websocket) and send {\"type\":\"subscribe\"}; "
                        + "or read the same stream as Server-Sent Events from the events endpoint", null, null);
    }

    private void handle(WsConfig ws, boolean perWorkspace) {
        ws.onConnect(ctx -> {
            String workspace = perWorkspace ? ctx.pathParam("workspace") : null;
            if (!access.mayRead(ctx.header("Authorization"), ctx.queryParam("access_token"), workspace)) {
                // the same answer for a workspace that exists and one that does not: names do not leak
                ctx.closeSession(StatusCode.POLICY_VIOLATION, workspace == null
                        ? "the fleet stream needs a server administrator's token"
                        : "no workspace '" + Requests.abbreviate(workspace) + "' for this token (send Authorization: Bearer, or access_token)");
                return;
            }
            if (workspace != null && !workspaceExists.test(workspace)) {
                // Closing after the upgrade rather than answering 404: a browser shows its page the close
                // reason but never the status of a refused upgrade.
                ctx.closeSession(StatusCode.POLICY_VIOLATION, "no workspace '" + Requests.abbreviate(workspace) + "'");
                return;
            }
            // Heartbeats keep a subscribed stream busy; Jetty must not time it out between two of them.
            Duration idle = heartbeat.multipliedBy(3);
            Duration configured = ctx.session.getIdleTimeout();
            if (configured.isPositive() && configured.compareTo(idle) < 0) {
                ctx.session.setIdleTimeout(idle);
            }
            connections.put(ctx.sessionId(), new Connection(ctx.session, workspace));
        });
        ws.onMessage(ctx -> {
            var connection = connections.get(ctx.sessionId());
            if (connection != null) {
                connection.take(ctx.message());
            }
        });
        ws.onBinaryMessage(ctx -> {
            var connection = connections.get(ctx.sessionId());
            if (connection != null) {
                connection.refuse(ApiProblem.badRequest("", "expected a text message holding JSON, got a binary one"));
            }
        });
        ws.onClose(ctx -> ended(ctx));
        ws.onError(ctx -> ended(ctx));
    }

    private void ended(WsContext ctx) {
        var connection = connections.remove(ctx.sessionId());
        if (connection != null) {
            connection.end();
        }
    }

    /** What a subscribe message asks for. */
    record Subscribe(Long since, List<String> types, Long run) {}

    /** Reads a subscribe message, or throws an {@link ApiProblem} naming the field that is wrong. */
    static Subscribe subscribe(String text) {
        if (text.isBlank()) {
            throw ApiProblem.badRequest("", "the message is empty; expected {\"type\":\"subscribe\"}");
        }
        JsonNode message;
        try {
            message = MESSAGE.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("", "the message is not valid JSON: " + e.getOriginalMessage());
        }
        if (message == null || !message.isObject()) {
            throw ApiProblem.badRequest("", "expected a JSON object like {\"type\":\"subscribe\"}, got "
                    + (message == null ? "nothing" : Requests.kind(message)));
        }
        Requests.allowOnly(message, "type", "since", "types", "run");
        JsonNode type = message.get("type");
        if (type == null) {
            throw ApiProblem.badRequest("type", "required field is missing; expected \"subscribe\"");
        }
        if (!type.isTextual() || !type.asText().equals("subscribe")) {
            throw ApiProblem.badRequest("type", "expected \"subscribe\", got "
                    + (type.isTextual() ? "\"" + Requests.abbreviate(type.asText()) + "\"" : Requests.kind(type)));
        }
        Long since = whole(message, "since", 0, "an event id (a whole number, 0 or more)");
        Long run = whole(message, "run", 1, "a run id (a positive whole number)");
        var types = new ArrayList<String>();
        JsonNode list = message.get("types");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ApiProblem.badRequest("types", "expected a list of type patterns like [\"run.*\"], got " + Requests.kind(list));
            }
            for (JsonNode t : list) {
                if (!t.isTextual()) {
                    throw ApiProblem.badRequest("types", "expected type patterns as strings, got " + Requests.kind(t));
                }
                types.add(t.asText());
            }
        }
        return new Subscribe(since, types, run);
    }

    private static Long whole(JsonNode message, String field, long min, String expected) {
        JsonNode v = message.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
            throw ApiProblem.badRequest(field, "expected " + expected + ", got " + Requests.kind(v));
        }
        return v.asLong();
    }

    /** A delivery as the message a client gets: events and snapshots exactly as SSE sends their data. */
    static String message(Delivery delivery, String workspace) {
        return switch (delivery) {
            case Delivery.Event e -> e.event().json();
            case Delivery.State s -> EventRoutes.snapshotJson(s.snapshot(), workspace);
            case Delivery.Gap g -> control("gap", EventRoutes.gapBody(g));
            case Delivery.CutOff c -> {
                var body = EventRoutes.cutOffBody(c);
                body.put("detail", "subscribe again with \"since\": " + c.resumeAfter() + " to continue where this stream stopped");
                yield control("cut-off", body);
            }
        };
    }

    /**
     * A control message: {@code type} says which; a problem URN the body carries under {@code type} moves to
     * {@code problem} so that it does not hide which control message this is.
     */
    private static String control(String type, Map<String, Object> body) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", type);
        body.forEach((k, v) -> message.put(k.equals("type") ? "problem" : k, v));
        return EventRoutes.json(message);
    }

    private static String error(ApiProblem problem) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", "error");
        message.put("field", problem.field() == null ? "" : problem.field());
        message.put("detail", problem.getMessage());
        return EventRoutes.json(message);
    }

    /**
     * One socket. Its current subscription is streamed by one virtual thread; a replaced or ended
     * subscription's thread notices at its next send and stops without sending, so what a client receives
     * after its subscribe all belongs to that subscribe.
     */
    private final class Connection {
        private final Session session;
        private final String workspace;
        /** Orders sends and the change of subscription; never held while waiting for the client. */
        private final ReentrantLock sending = new ReentrantLock();
        private Subscription current;
        private boolean ended;

        Connection(Session session, String workspace) {
            this.session = session;
            this.workspace = workspace;
        }

        /** A message from the client: a subscribe to start (or replace) the stream, or an error back. */
        void take(String text) {
            Subscription subscription;
            try {
                var request = subscribe(text);
                EventFilter filter;
                try {
                    filter = new EventFilter(workspace, request.run(), request.types());
                } catch (IllegalArgumentException e) {
                    throw ApiProblem.badRequest("types", e.getMessage());
                }
                subscription = hub.subscribe(filter, request.since());
            } catch (ApiProblem p) {
                refuse(p);
                return;
            }
            Subscription replaced;
            sending.lock();
            try {
                if (ended) {
                    subscription.close();
                    return;
                }
                replaced = current;
                current = subscription;
            } finally {
                sending.unlock();
            }
            if (replaced != null) {
                replaced.close();
            }
            Thread.ofVirtual().name("agentry-ws-stream-" + streamNumbers.incrementAndGet()).start(() -> stream(subscription));
        }

        /** Tells the client what was wrong with its message; the connection and any stream go on. */
        void refuse(ApiProblem problem) {
            send(null, error(problem));
        }

        private void stream(Subscription subscription) {
            try (subscription) {
                while (true) {
                    Delivery next = subscription.next(heartbeat);
                    if (!send(subscription, next == null ? HEARTBEAT : message(next, workspace))) {
                        return;
                    }
                    if (next instanceof Delivery.CutOff c) {
                        close(StatusCode.TRY_AGAIN_LATER, c.reason());
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // Nothing here interrupts streams; should something else, the client hears of it and resumes.
                Thread.currentThread().interrupt();
                close(StatusCode.SHUTDOWN, "the stream was stopped; subscribe again with since to resume");
            } catch (RuntimeException e) {
                String ref = UUID.randomUUID().toString().substring(0, 8);
                log.error("event stream to {} failed (ref {})", session.getRemoteSocketAddress(), ref, e);
                close(StatusCode.SERVER_ERROR, "internal error; the server log has the details under ref " + ref);
            }
        }

        /**
         * Sends one message and waits until Jetty has written it, so that nothing piles up in Jetty. A
         * subscription's messages go only while it is the current one ({@code from} null: not a stream's).
         *
         * @return false when the message was not sent and the stream should stop
         */
        private boolean send(Subscription from, String message) {
            var written = new Callback.Completable();
            sending.lock();
            try {
                if (ended || (from != null && from != current)) {
                    return false;
                }
                session.sendText(message, written);
            } finally {
                sending.unlock();
            }
            try {
                written.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                // The client stopped reading: a close frame would queue behind what it does not read.
                log.info("dropping event stream to {}: a message stayed unread for {}", session.getRemoteSocketAddress(), SEND_TIMEOUT);
                session.disconnect();
                return false;
            } catch (ExecutionException e) {
                return false; // the socket closed underneath
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void close(int status, String reason) {
            end();
            session.close(status, reason, Callback.NOOP);
        }

        /** The socket closed or is closing: stop streaming. */
        void end() {
            Subscription last;
            sending.lock();
            try {
                ended = true;
                last = current;
                current = null;
            } finally {
                sending.unlock();
            }
            if (last != null) {
                last.close();
            }
        }
    }
}
