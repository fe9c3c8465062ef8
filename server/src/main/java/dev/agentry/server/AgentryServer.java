package dev.agentry.server;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.Node;
import dev.agentry.core.engine.NodeSettings;
import dev.agentry.core.engine.RunStore;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.WatchLiveness;
import dev.agentry.core.event.EventHub;
import dev.agentry.core.event.PruneEvents;
import dev.agentry.postgres.PostgresAttention;
import dev.agentry.postgres.PostgresEventLog;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.EmbeddedPostgres;
import dev.agentry.postgres.PostgresPipelineStore;
import dev.agentry.postgres.PostgresRunQueries;
import dev.agentry.postgres.PostgresRunStore;
import dev.agentry.postgres.PostgresSignals;
import dev.agentry.postgres.PostgresPoolRegistrations;
import dev.agentry.postgres.PostgresPullRequests;
import dev.agentry.postgres.PostgresRepositories;
import dev.agentry.core.engine.Integrations;
import dev.agentry.core.engine.ResumePausedRuns;
import dev.agentry.core.board.AdvanceWaves;
import dev.agentry.core.board.Board;
import dev.agentry.postgres.PostgresBoard;
import dev.agentry.postgres.PostgresWaves;
import dev.agentry.core.engine.SpendLedger;
import dev.agentry.core.agent.AgentKinds;
import dev.agentry.core.agent.Agents;
import dev.agentry.core.agent.Models;
import dev.agentry.core.spend.Prices;
import dev.agentry.postgres.PostgresAccess;
import dev.agentry.postgres.PostgresPolicyStore;
import dev.agentry.policy.CelPolicyEngine;
import dev.agentry.policy.Policies;
import dev.agentry.postgres.PostgresVault;
import dev.agentry.postgres.vault.MasterKey;
import dev.agentry.postgres.vault.MasterKeys;
import dev.agentry.server.work.StoredSecrets;
import dev.agentry.server.work.Redactors;
import dev.agentry.server.work.ModelCallPolicy;
import dev.agentry.postgres.PostgresAuditLog;
import dev.agentry.postgres.PostgresTriggers;
import dev.agentry.core.audit.ExternalWrites;
import dev.agentry.core.trigger.PruneDeliveries;
import dev.agentry.core.trigger.SignatureVerifier;
import dev.agentry.core.trigger.TriggerService;
import dev.agentry.postgres.PostgresCheckpoints;
import dev.agentry.postgres.PostgresFragments;
import dev.agentry.postgres.PostgresGatewayTokens;
import dev.agentry.postgres.PostgresSpend;
import dev.agentry.server.work.AgentryLauncher;
import dev.agentry.agents.builtin.InlineRunner;
import dev.agentry.agents.provider.ProviderSettings;
import dev.agentry.runners.forge.GitHubForge;
import dev.agentry.runners.forge.LocalForge;
import dev.agentry.runners.local.LocalPool;
import dev.agentry.server.work.EnvironmentSecrets;
import dev.agentry.server.work.ManifestPools;
import dev.agentry.server.work.PoolCatalog;
import dev.agentry.server.work.RepositoryForges;
import dev.agentry.server.http.HttpApi;
import dev.agentry.server.http.GatewayRoutes;
import dev.agentry.agents.gateway.GatewayProxy;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: picks the database (embedded or external), wires the PostgreSQL adapters into
 * the engine, starts this node's share of the work and the HTTP API. Closing it stops them in reverse.
 */
public final class AgentryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentryServer.class);

    private final ServerConfig config;
    private EmbeddedPostgres embedded;
    private Database db;
    private PostgresSignals listener;
    private Node node;
    private LocalPool localPool;
    private PoolCatalog pools;
    private EventHub hub;
    private WatchLiveness liveness;
    private PruneEvents pruneEvents;
    private ResumePausedRuns resumePaused;
    private AdvanceWaves advanceWaves;
    private PruneDeliveries pruneDeliveries;
    private String firstAdminToken;
    private Javalin http;
    private volatile boolean running;
    private boolean closed;

    private AgentryServer(ServerConfig config) {
        this.config = config;
    }

    public static AgentryServer start(ServerConfig config) {
        var server = new AgentryServer(config);
        try {
            server.boot();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void boot() {
        try {
            Files.createDirectories(config.home());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the data directory " + config.home() + ": " + e.getMessage(), e);
        }
        String url = config.databaseUrl();
        if (url == null) {
            embedded = EmbeddedPostgres.start(config.home().resolve("postgres"), Map.of());
            url = embedded.jdbcUrl();
            log.info("embedded PostgreSQL on port {} with data in {}", embedded.port(), config.home().resolve("postgres"));
        }
        db = Database.open(url, config.dbPoolSize());
        var clock = Clock.systemUTC();
        var signals = new Signals();
        var pipelines = new PostgresPipelineStore(db, clock);
        var runs = new PostgresRunStore(db, pipelines, signals, clock);
        var queries = new PostgresRunQueries(db);
        var repositories = new PostgresRepositories(db, clock);
        var modelsConfig = config.models();
        var kinds = AgentKinds.withBuiltins(modelsConfig.agents());
        var engine = new Engine(pipelines, runs, repositories, kinds, clock, new SecureRandom());
        var spend = new PostgresSpend(db, signals, clock);
        var prices = Prices.withDefaults(modelsConfig.prices());
        var ledger = new SpendLedger(spend, prices, engine, clock);
        var tokens = new PostgresGatewayTokens(db, clock);
        var checkpoints = new PostgresCheckpoints(db, clock);
        var fragments = new PostgresFragments(db, clock);
        var access = new PostgresAccess(db, clock);
        var auditLog = new PostgresAuditLog(db, clock);
        var policyStore = new PostgresPolicyStore(db, clock);
        var policyEngine = new CelPolicyEngine(policyStore, clock, CelPolicyEngine.DEFAULT_RECHECK);
        var policies = new Policies(policyStore, policyEngine);
        var writes = new ExternalWrites(auditLog);
        var triggerStore = new PostgresTriggers(db);
        firstAdminToken = FirstAdmin.ensure(access, config.control().bootstrapToken());
        var events = new PostgresEventLog(db, signals, clock);
        var attention = new PostgresAttention(db, signals, clock);
        var settings = config.events();
        hub = new EventHub(events, new EventHub.Settings(settings.streamBuffer(), settings.snapshotEvery(), 500,
                Duration.ofMillis(500)), clock).start();
        signals.subscribe(RunStore.Signal.EVENTS_SEQUENCED, hub::wake);
        listener = new PostgresSignals(db, signals).start();
        Path work = config.home().resolve("work");
        var vault = openVault(clock);
        var secrets = new StoredSecrets(vault, new EnvironmentSecrets(config.work().secrets()));
        var triggers = new TriggerService(triggerStore, engine, repositories, secrets, new SignatureVerifier(clock), clock);
        localPool = new LocalPool(new LocalPool.Settings(work, config.slots(), config.logBytes(), clock, null, null,
                AgentryLauncher.write(work)));
        int orphans = localPool.stopOrphans();
        if (orphans > 0) {
            log.warn("stopped {} jobs left running by an earlier process that was killed; their steps are retried", orphans);
        }
        var httpClient = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        pools = new PoolCatalog(localPool, config.slots(), config.work().defaultPool(), new PostgresPoolRegistrations(db, clock),
                new ManifestPools(config.work().plainHttpHosts(), secrets, httpClient), clock);
        var pullRequests = new PostgresPullRequests(db, clock);
        var forges = new RepositoryForges(new LocalForge(work, pullRequests, clock),
                new GitHubForge(java.net.URI.create(config.work().githubApiUrl()), httpClient), config.work().githubToken(), secrets);
        var models = new Models(modelsConfig.providers(), modelsConfig.defaultProvider(), modelsConfig.defaultModel(), null);
        var proxy = new GatewayProxy(tokens, models::provider, ledger, GatewayProxy.httpClient(Duration.ofSeconds(10)),
                GatewayProxy.Settings.DEFAULTS, clock);
        var redactors = new Redactors(secrets, Duration.ofSeconds(5), clock);
        proxy.redactingWith(redactors).decidingWith(new ModelCallPolicy(policyEngine, ledger, prices));
        var gatewayRoutes = new GatewayRoutes(proxy, tokens, checkpoints, clock).redactingWith(redactors).decidingWith(policyEngine);
        HttpApi.GatewayMount gateway = c -> gatewayRoutes.addTo(c.routes);
        var board = new Board(new PostgresBoard(db, clock), queries, engine, repositories);
        var waves = new PostgresWaves(db, clock);
        advanceWaves = new AdvanceWaves(waves, board, queries, config.nodeName(), clock, Duration.ofSeconds(1));
        // the API first: agents reach the gateway at its port, which is known only once it listens
        http = HttpApi.create(config.bind(), config.port(), config.maxBodyBytes(), settings.heartbeat(),
                new HttpApi.Services(engine, queries, hub, events, attention, repositories, pullRequests, secrets, pools,
                        ledger, spend, kinds, models, prices, fragments, access, auditLog, writes, triggers, vault, policies, gateway,
                        board, waves, advanceWaves::wake),
                this::ready).start();
        var gatewayUrl = java.net.URI.create(modelsConfig.gatewayUrl() != null ? modelsConfig.gatewayUrl() : url());
        var agents = new Agents(kinds, new Models(models.providers(), models.defaultProvider(), models.defaultModel(), gatewayUrl),
                tokens, new InlineRunner(checkpoints, ProviderSettings.defaults().withStreaming(true), clock), fragments);
        node = new Node(new NodeSettings(config.nodeName(), config.slots(), config.lease(), config.pollInterval(), work,
                config.logBytes(), settings.logStreamBytes()), engine, runs, pipelines, events, signals,
                new Integrations(pools, repositories, secrets, forges, agents, writes, policyEngine), clock).start();
        resumePaused = new ResumePausedRuns(spend, ledger, engine, Duration.ofSeconds(5));
        resumePaused.start("agentry-resume-paused-runs");
        advanceWaves.start("agentry-advance-waves");
        pruneDeliveries = new PruneDeliveries(triggerStore, PruneDeliveries.DEFAULT_RETENTION, Duration.ofHours(1), clock);
        pruneDeliveries.start("agentry-prune-webhook-deliveries");
        liveness = new WatchLiveness(attention, settings.stallAfter(), clock);
        liveness.start("agentry-liveness");
        pruneEvents = new PruneEvents(events, settings.retention(), Duration.ofMinutes(10), clock);
        pruneEvents.start("agentry-prune-events");
        running = true;
    }

    /**
     * The secrets vault with this node's master keys: the configured key (made on first start when none is given),
     * and while a rotation is under way the previous one, whose data keys are re-wrapped here and now.
     */
    private PostgresVault openVault(Clock clock) {
        var control = config.control();
        MasterKey current = control.masterKey() != null ? MasterKey.fromBase64(control.masterKey(), "AGENTRY_MASTER_KEY")
                : MasterKey.openOrCreate(control.masterKeyFile() != null ? control.masterKeyFile() : config.home().resolve("master.key"));
        MasterKey previous = control.previousMasterKey() != null ? MasterKey.fromBase64(control.previousMasterKey(), "AGENTRY_PREVIOUS_MASTER_KEY")
                : control.previousMasterKeyFile() != null ? MasterKey.fromFile(control.previousMasterKeyFile()) : null;
        var vault = new PostgresVault(db, previous == null ? MasterKeys.of(current) : new MasterKeys(current, previous), clock);
        var missing = vault.missingMasterKeys();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("stored secrets are wrapped under master keys this node does not hold: "
                    + String.join(", ", missing) + " (give the key as master_key_file or previous_master_key_file)");
        }
        if (previous != null) {
            var rotation = vault.rotateMasterKey(PostgresVault.ROTATION_BATCH);
            log.info("re-wrapped {} secrets' data keys under master key {}; {} remain under another key",
                    rotation.rewrapped(), rotation.masterKeyId(), rotation.remaining());
        }
        return vault;
    }

    private boolean ready() {
        if (!running) {
            return false;
        }
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            return s.execute("SELECT 1");
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    public int port() {
        return http.port();
    }

    public String url() {
        String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Every route the server answers, as {@code METHOD /path/{param}} (WebSocket ones as {@code WS /path}). */
    public java.util.List<String> routes() {
        var routes = new java.util.ArrayList<String>();
        var methods = java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
        http.unsafe.internalRouter.allHttpHandlers().stream().filter(e -> methods.contains(e.endpoint.method.name()))
                .forEach(e -> routes.add(e.endpoint.method.name() + " " + e.endpoint.path));
        http.unsafe.internalRouter.allWsHandlers().forEach(e -> routes.add("WS " + e.getPath()));
        return routes;
    }

    /** The first administrator's token when this start made it (to show once), else null. */
    public String firstAdminToken() {
        return firstAdminToken;
    }

    public String nodeName() {
        return config.nodeName();
    }

    /** Stops everything, once; safe to call from several threads (a signal and a shutdown hook). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        if (http != null) {
            http.stop();
        }
        if (hub != null) {
            hub.close();
        }
        if (liveness != null) {
            liveness.stop();
        }
        if (pruneEvents != null) {
            pruneEvents.stop();
        }
        if (advanceWaves != null) {
            advanceWaves.stop();
            try {
                advanceWaves.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                advanceWaves.releaseAll(); // another node may take the waves over at once
            } catch (RuntimeException e) {
                log.warn("could not release this node's waves; their leases run out shortly: {}", e.toString());
            }
        }
        if (resumePaused != null) {
            resumePaused.stop();
        }
        if (pruneDeliveries != null) {
            pruneDeliveries.stop();
        }
        if (node != null) {
            node.stop(Duration.ofSeconds(10));
        }
        if (pools != null) {
            pools.close();
        }
        if (localPool != null) {
            localPool.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (db != null) {
            db.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
