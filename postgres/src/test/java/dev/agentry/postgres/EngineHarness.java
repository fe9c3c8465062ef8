package dev.agentry.postgres;

import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.Integrations;
import dev.agentry.core.forge.Forges;
import dev.agentry.core.job.RunnerPools;
import dev.agentry.runners.local.LocalPool;
import java.util.List;
import java.util.Optional;
import dev.agentry.core.engine.Node;
import dev.agentry.core.engine.NodeSettings;
import dev.agentry.core.engine.Signals;
import dev.agentry.core.engine.Views;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/** A real engine on a fresh database with one node, short leases and quick polling. */
final class EngineHarness implements AutoCloseable {
    /** What a node claims for the local pool when it is the default pool. */
    static final dev.agentry.core.engine.Claim.Scope LOCAL = new dev.agentry.core.engine.Claim.Scope("local", List.of(), true);

    final Database db;
    final Signals signals = new Signals();
    final PostgresPipelineStore pipelines;
    final PostgresRunStore runs;
    final PostgresRunQueries queries;
    final Engine engine;
    final Node node;
    final PostgresSignals listener;
    final Path work;
    final LocalPool localPool;

    EngineHarness(Path work) {
        this(work, TestDatabase.fresh(), "node-a");
    }

    EngineHarness(Path work, Database db, String nodeName) {
        this.work = work;
        this.db = db;
        var clock = Clock.systemUTC();
        pipelines = new PostgresPipelineStore(db, clock);
        runs = new PostgresRunStore(db, pipelines, signals, clock);
        queries = new PostgresRunQueries(db);
        var repositories = new PostgresRepositories(db, clock);
        engine = new Engine(pipelines, runs, repositories, clock, new Random());
        listener = new PostgresSignals(db, signals).start();
        localPool = new LocalPool(work, 8, 64 * 1024, clock);
        localPool.stopOrphans();
        var integrations = new Integrations(RunnerPools.fixed(new RunnerPools.Pool("local", 8, List.of(), true, localPool)),
                repositories, (ws, name) -> Optional.empty(), Forges.none());
        node = new Node(new NodeSettings(nodeName, 8, Duration.ofSeconds(2), Duration.ofMillis(500), work, 64 * 1024, 1 << 20),
                engine, runs, pipelines, new PostgresEventLog(db, signals, clock), signals, integrations, clock).start();
    }

    long start(String yaml, Map<String, String> inputs) {
        var applied = engine.apply("default", yaml, null);
        return engine.start("default", applied.version().name(), null, inputs, null).runId();
    }

    Views.RunView run(long id) {
        return queries.run("default", id).orElseThrow();
    }

    String status(long id) {
        return run(id).status();
    }

    Views.StepView step(long id, String step) {
        return run(id).steps().stream().filter(s -> s.id().equals(step)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        node.stop(Duration.ofSeconds(2));
        localPool.close();
        listener.close();
        db.close();
    }
}
