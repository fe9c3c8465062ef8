package dev.agentry.server.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The embedded shape: one `agentry serve` with its own PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedShapeTest extends ConformanceScenarios {
    @TempDir static Path dir;
    private ServerProcess server;

    @BeforeAll
    void start() {
        server = ServerProcess.start(dir.resolve("home"), "solo", Map.of());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Override
    List<ServerProcess> servers() {
        return List.of(server);
    }

    @Override
    Path scratch() {
        return dir;
    }
}
