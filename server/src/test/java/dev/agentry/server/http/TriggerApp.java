package dev.agentry.server.http;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.Views;
import dev.agentry.core.trigger.SignatureVerifier;
import dev.agentry.core.trigger.TriggerService;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresPipelineStore;
import dev.agentry.postgres.PostgresRepositories;
import dev.agentry.postgres.PostgresRunQueries;
import dev.agentry.postgres.PostgresRunStore;
import dev.agentry.postgres.PostgresTriggers;
import dev.agentry.postgres.TestDatabase;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The trigger routes mounted alone on a small Javalin app, over a real engine and real stores on a fresh database.
 * No node runs, so the runs deliveries start stay queued where a test can read them. The vault knows one secret.
 */
public final class TriggerApp implements AutoCloseable {
    public static final String SECRET_NAME = "hook-secret";
    public static final String SECRET = "s3cr3t-4-h00ks-only";
    /** The API's own body limit on this app; the ingress has its own, larger one. */
    public static final int API_BODY_LIMIT = 64 * 1024;

    public final Database db = TestDatabase.fresh();
    public final Engine engine;
    public final RunQueries queries = new PostgresRunQueries(db);
    public final PostgresTriggers store = new PostgresTriggers(db);
    public final Javalin app;
    public final String url;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public TriggerApp() {
        var clock = Clock.systemUTC();
        var pipelines = new PostgresPipelineStore(db, clock);
        var repositories = new PostgresRepositories(db, clock);
        engine = new Engine(pipelines, new PostgresRunStore(db, pipelines, new Signals(), clock), repositories, clock, new Random());
        var service = new TriggerService(store, engine, repositories,
                (ws, name) -> name.equals(SECRET_NAME) ? Optional.of(SECRET) : Optional.empty(),
                new SignatureVerifier(clock), clock);
        var routes = new TriggerRoutes(service);
        app = Javalin.create(config -> {
            config.http.maxRequestSize = API_BODY_LIMIT;
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
        }).start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + app.port();
    }

    public HttpResponse<String> send(String method, String path, Map<String, String> headers, byte[] body) {
        var request = HttpRequest.newBuilder(URI.create(url + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every run in the workspace, newest first. */
    public List<Views.RunView> runs() {
        return queries.runs(new RunQueries.RunFilter("default", null, null, 500, null)).items();
    }

    @Override
    public void close() {
        app.stop();
        db.close();
    }
}
