package dev.agentry.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agentry.core.engine.AttentionStore;
import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.event.EventHub;
import dev.agentry.core.event.EventLog;
import dev.agentry.core.forge.LocalPullRequests;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.repo.SecretVault;
import dev.agentry.core.run.RunConflict;
import dev.agentry.server.work.PoolCatalog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: JSON over {@code /api/workspaces/{ws}/...}, health at {@code /healthz} and {@code /readyz},
 * the OpenAPI document at {@code /api/openapi.json}. Every error is problem+json; nothing leaks a stack trace.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final String WS = "/api/workspaces/{workspace}";

    private HttpApi() {}

    /** What the API serves, from the composition root. */
    public record Services(Engine engine, RunQueries queries, EventHub hub, EventLog events, AttentionStore attention,
                           RepositoryStore repositories, LocalPullRequests pullRequests, SecretVault secrets, PoolCatalog pools,
                           dev.agentry.core.engine.SpendLedger ledger, dev.agentry.core.spend.SpendViews spend,
                           dev.agentry.core.agent.AgentKinds kinds, dev.agentry.core.agent.Models models,
                           dev.agentry.core.spend.Prices prices, dev.agentry.core.agent.PromptFragments fragments,
                           dev.agentry.core.access.AccessStore access, dev.agentry.core.audit.AuditLog audit,
                           dev.agentry.core.audit.ExternalWrites writes, dev.agentry.core.trigger.TriggerService triggers,
                           dev.agentry.core.secret.Secrets vault, dev.agentry.policy.Policies policies, GatewayMount gateway,
                           dev.agentry.core.board.Board board, dev.agentry.core.board.WaveStore waves,
                           Runnable wavesChanged) {}

    /** The model gateway's routes, mounted next to the API's (they authenticate with run-scoped tokens). */
    public interface GatewayMount {
        void mount(io.javalin.config.JavalinConfig config);
    }

    /**
     * @param heartbeat how often an idle event stream gets a comment line, so that proxies keep it open
     */
    public static Javalin create(String host, int port, long maxBodyBytes, Duration heartbeat, Services services,
                                 BooleanSupplier ready) {
        var engine = services.engine();
        var queries = services.queries();
        var pipelines = new PipelineRoutes(engine);
        var runs = new RunRoutes(engine, queries, services.events());
        var decisions = new DecisionRoutes(engine, queries);
        var events = new EventRoutes(services.hub(), services.events(), heartbeat);
        var attention = new AttentionRoutes(services.attention());
        var repositories = new RepositoryRoutes(services.repositories(), services.pullRequests(), services.secrets());
        var pools = new PoolRoutes(services.pools());
        var fragments = new FragmentRoutes(services.fragments(), services.spend(), queries);
        var spend = new SpendRoutes(engine, queries, services.ledger(), services.spend(), services.kinds(), services.models(),
                services.prices());
        var access = new ApiAccess(services.access(), java.time.Clock.systemUTC());
        var accessRoutes = new AccessRoutes(services.access(), services.writes(), java.time.Clock.systemUTC());
        var auditRoutes = new AuditRoutes(services.audit());
        var triggerRoutes = new TriggerRoutes(services.triggers());
        var secretRoutes = new SecretRoutes(services.vault(), java.time.Clock.systemUTC());
        var policyRoutes = new PolicyRoutes(services.policies()).auditedBy(services.writes());
        var boardRoutes = new BoardRoutes(services.board(), services.waves(), services.wavesChanged());
        var sockets = new EventSocket(services.hub(), queries::workspaceExists, access, heartbeat);
        String openApi = resource("openapi.json");
        var page = new WebPage();
        return Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = maxBodyBytes;
            config.http.prefer405over404 = true;
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            var r = config.routes;

            // authentication and authorisation of every request, first (ApiAccess says which paths are open)
            r.before(access::check);

            r.get("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
            r.get("/readyz", ctx -> {
                boolean ok = ready.getAsBoolean();
                json(ctx, ok ? 200 : 503, Map.of("status", ok ? "ready" : "not ready"));
            });
            r.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));

            // the web page: its screens are deep links into one index.html
            r.get("/", page::index);
            r.get("/login", page::index);
            r.get("/w/*", page::index);
            r.get("/assets/{file}", page::asset);

            r.before(WS + "/*", ctx -> {
                String ws = ctx.pathParam("workspace");
                if (!queries.workspaceExists(ws)) {
                    throw ApiProblem.notFound("workspace", "no workspace '" + Requests.abbreviate(ws) + "'");
                }
            });

            r.post(WS + "/pipelines", pipelines::apply);
            r.get(WS + "/pipelines", pipelines::list);
            r.get(WS + "/pipelines/{name}", pipelines::get);
            r.get(WS + "/pipelines/{name}/versions", pipelines::versions);
            r.get(WS + "/pipelines/{name}/versions/{version}", pipelines::version);

            r.post(WS + "/runs", runs::start);
            r.get(WS + "/runs", runs::list);
            r.get(WS + "/runs/{id}", runs::get);
            r.post(WS + "/runs/{id}/cancel", runs::cancel);
            r.post(WS + "/runs/{id}/retry", runs::retry);
            r.post(WS + "/runs/{id}/rerun", runs::rerun);
            r.get(WS + "/runs/{id}/steps/{step}", runs::step);
            r.get(WS + "/runs/{id}/logs", runs::logs);

            r.get(WS + "/decisions", decisions::list);
            r.get(WS + "/decisions/{id}", decisions::get);
            r.post(WS + "/decisions/{id}/approve", ctx -> decisions.answer(ctx, true));
            r.post(WS + "/decisions/{id}/reject", ctx -> decisions.answer(ctx, false));
            r.post(WS + "/decisions/{id}/answer", decisions::reply);

            r.get("/api/me", accessRoutes::me);
            r.get("/api/tokens", accessRoutes::tokens);
            r.post("/api/tokens", accessRoutes::createToken);
            r.delete("/api/tokens/{id}", accessRoutes::revokeToken);
            r.get("/api/accounts", accessRoutes::accounts);
            r.post("/api/accounts", accessRoutes::createAccount);
            r.post("/api/accounts/{account}/workspaces", accessRoutes::createWorkspace);
            r.get("/api/workspaces", accessRoutes::workspaces);
            r.get(WS + "/members", accessRoutes::members);
            r.put(WS + "/members/{user}", accessRoutes::setMember);
            r.delete(WS + "/members/{user}", accessRoutes::removeMember);
            r.get("/api/users", accessRoutes::users);
            r.post("/api/users", accessRoutes::createUser);

            r.get("/api/agents", spend::agents);
            r.get(WS + "/spend", spend::workspaceSpend);
            r.get(WS + "/budget", ctx -> spend.getBudget(ctx, spend.workspace(ctx)));
            r.put(WS + "/budget", ctx -> spend.setBudget(ctx, spend.workspace(ctx)));
            r.get("/api/accounts/{account}/budget", ctx -> spend.getBudget(ctx, spend.account(ctx)));
            r.put("/api/accounts/{account}/budget", ctx -> spend.setBudget(ctx, spend.account(ctx)));
            r.get(WS + "/runs/{id}/spend", spend::runSpend);
            r.get(WS + "/runs/{id}/budget", ctx -> spend.getBudget(ctx, spend.runScope(ctx)));
            r.put(WS + "/runs/{id}/budget", ctx -> spend.setBudget(ctx, spend.runScope(ctx)));
            r.get(WS + "/runs/{id}/calls/{call}/prompt", spend::prompt);
            r.get(WS + "/pipelines/{name}/estimate", spend::estimate);

            r.get(WS + "/fragments", fragments::visible);
            r.get(WS + "/fragments/{name}", ctx -> fragments.get(ctx, fragments.workspace(ctx)));
            r.put(WS + "/fragments/{name}", ctx -> fragments.save(ctx, fragments.workspace(ctx)));
            r.get("/api/accounts/{account}/fragments/{name}", ctx -> fragments.get(ctx, fragments.account(ctx)));
            r.put("/api/accounts/{account}/fragments/{name}", ctx -> fragments.save(ctx, fragments.account(ctx)));
            r.get(WS + "/runs/{id}/fragments", fragments::ofRun);

            r.get(WS + "/events", events::workspaceStream);
            r.get(WS + "/events/export", events::workspaceExport);
            r.get("/api/events", events::fleetStream);
            r.get("/api/events/export", events::fleetExport);
            r.get("/api/streams", events::streams);
            r.ws(WS + "/ws", sockets::workspace);
            r.ws("/api/ws", sockets::fleet);
            r.get(WS + "/ws", EventSocket::upgradeRequired);
            r.get("/api/ws", EventSocket::upgradeRequired);

            r.get(WS + "/attention", attention::list);
            r.get(WS + "/attention/{id}", attention::get);
            r.post(WS + "/attention/{id}/resolve", attention::resolve);

            r.post(WS + "/repositories", repositories::register);
            r.get(WS + "/repositories", repositories::list);
            r.get(WS + "/repositories/{name}", repositories::get);
            r.delete(WS + "/repositories/{name}", repositories::remove);
            r.get(WS + "/repositories/{name}/pulls", repositories::pullRequests);
            r.get(WS + "/repositories/{name}/pulls/{number}", repositories::pullRequest);
            r.post(WS + "/repositories/{name}/checks", repositories::reportCheck);

            r.post(WS + "/blocks", boardRoutes::create);
            r.get(WS + "/blocks", boardRoutes::list);
            r.get(WS + "/blocks/{id}", boardRoutes::get);
            r.patch(WS + "/blocks/{id}", boardRoutes::update);
            r.delete(WS + "/blocks/{id}", boardRoutes::delete);
            r.post(WS + "/blocks/{id}/edges", boardRoutes::addEdge);
            r.delete(WS + "/blocks/{id}/edges/{dependsOn}", boardRoutes::removeEdge);
            r.post(WS + "/blocks/{id}/runs", boardRoutes::startTask);
            r.post(WS + "/waves/plan", boardRoutes::plan);
            r.post(WS + "/waves", boardRoutes::startWave);
            r.get(WS + "/waves", boardRoutes::listWaves);
            r.get(WS + "/waves/{id}", boardRoutes::getWave);

            r.post("/api/pools", pools::register);
            r.get("/api/pools", pools::list);
            r.get("/api/pools/{name}", pools::get);
            r.delete("/api/pools/{name}", pools::remove);

            auditRoutes.addTo(r);
            triggerRoutes.addTo(r);
            secretRoutes.addTo(r);
            policyRoutes.addTo(r);
            if (services.gateway() != null) {
                services.gateway().mount(config);
            }

            r.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e));
            r.exception(InvalidDefinition.class, (e, ctx) -> problem(ctx, new ApiProblem(422, "invalid-definition",
                    "The definition is not valid", e.getMessage(), e.problems().get(0).field(), e.problems())));
            r.exception(dev.agentry.core.pipeline.InvalidInputs.class, (e, ctx) -> problem(ctx, new ApiProblem(422, "invalid-inputs",
                    "The run's inputs are not valid", e.getMessage(), e.problems().get(0).field(), e.problems())));
            r.exception(dev.agentry.core.board.BoardRefused.class, (e, ctx) -> problem(ctx,
                    e.reason() == dev.agentry.core.board.BoardRefused.Reason.CONFLICT
                            ? new ApiProblem(409, "board-conflict", "The board does not allow this", e.getMessage(), e.field(), null)
                            : new ApiProblem(422, "invalid-board-edit", "The board does not allow this", e.getMessage(), e.field(),
                                    java.util.List.of(new dev.agentry.core.pipeline.Problem(e.field(), e.getMessage())))));
            r.exception(NotFound.class, (e, ctx) -> problem(ctx, ApiProblem.notFound(e.field(), e.getMessage())));
            r.exception(RunConflict.class, (e, ctx) -> problem(ctx, new ApiProblem(409, "conflict",
                    "The run is not in a state that allows this", e.getMessage(), null, null)));
            r.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, switch (e.getStatus()) {
                case 404 -> ApiProblem.notFound("path", "no such endpoint: " + ctx.method() + " " + Requests.abbreviate(ctx.path()));
                case 405 -> new ApiProblem(405, "method-not-allowed", "Method not allowed",
                        ctx.method() + " is not supported on " + Requests.abbreviate(ctx.path()), null, null);
                case 413 -> new ApiProblem(413, "body-too-large", "The request body is too large",
                        "request bodies are limited to " + maxBodyBytes + " bytes", null, null);
                default -> new ApiProblem(e.getStatus(), "http-" + e.getStatus(), "Request failed", e.getMessage(), null, null);
            }));
            r.exception(Exception.class, (e, ctx) -> {
                String ref = UUID.randomUUID().toString().substring(0, 8);
                log.error("request {} {} failed (ref {})", ctx.method(), ctx.path(), ref, e);
                problem(ctx, new ApiProblem(500, "internal", "Internal error",
                        "the server could not handle this request; its log has the details under ref " + ref, null, null));
            });
            r.error(404, ctx -> {
                if (ctx.attribute("problem") == null) {
                    problem(ctx, ApiProblem.notFound("path", "no such endpoint: " + ctx.method() + " " + Requests.abbreviate(ctx.path())));
                }
            });
            r.error(405, ctx -> {
                if (ctx.attribute("problem") == null) {
                    problem(ctx, new ApiProblem(405, "method-not-allowed", "Method not allowed",
                            ctx.method() + " is not supported on " + Requests.abbreviate(ctx.path()), null, null));
                }
            });
        });
    }

    /** Answers with a JSON body: the one way the API and the runner daemon write JSON. */
    public static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(ApiJson.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers with problem+json. */
    public static void problem(Context ctx, ApiProblem p) {
        ctx.attribute("problem", p);
        try {
            ctx.status(p.status()).contentType("application/problem+json").result(ApiJson.MAPPER.writeValueAsBytes(p.body()));
        } catch (JsonProcessingException e) {
            ctx.status(p.status()).result("");
        }
    }

    private static String resource(String name) {
        try (InputStream in = HttpApi.class.getResourceAsStream("/" + name)) {
            return in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "{}";
        }
    }
}
