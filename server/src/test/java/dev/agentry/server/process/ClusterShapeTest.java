package dev.agentry.server.process;

import dev.agentry.postgres.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The cluster shape: two `agentry serve` processes on one external PostgreSQL, requests to each in turn. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterShapeTest extends ConformanceScenarios {
    @TempDir static Path dir;
    private ServerProcess a;
    private ServerProcess b;

    @BeforeAll
    void start() {
        var env = Map.of("AGENTRY_DATABASE_URL", TestDatabase.freshUrl());
        a = ServerProcess.start(dir.resolve("a"), "node-a", env);
        b = ServerProcess.start(dir.resolve("b"), "node-b", env);
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
    }

    @Override
    List<ServerProcess> servers() {
        return List.of(a, b);
    }

    @Override
    Path scratch() {
        return dir;
    }
}
