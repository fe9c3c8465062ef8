package dev.agentry.postgres;

import dev.agentry.core.engine.Engine;
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
    final Database db;
    final Signals signals = new Signals();
    final PostgresPipelineStore pipelines;
    final PostgresRunStore runs;
    final PostgresRunQueries queries;
    final Engine engine;
    final Node node;
    final PostgresSignals listener;
    final Path work;

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
        engine = new Engine(pipelines, runs, clock, new Random());
        listener = new PostgresSignals(db, signals).start();
        node = new Node(new NodeSettings(nodeName, 8, Duration.ofSeconds(2), Duration.ofMillis(500), work, 64 * 1024, 1 << 20),
                engine, runs, pipelines, new PostgresEventLog(db, signals, clock), signals, clock).start();
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
        listener.close();
        db.close();
    }
}
