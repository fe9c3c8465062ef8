package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {
    @TempDir Path home;

    @Test
    void runs_durably_and_keeps_data_across_restarts() throws Exception {
        Path data = home.resolve("postgres");
        try (var pg = EmbeddedPostgres.start(data, Map.of())) {
            try (var c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement()) {
                var rs = s.executeQuery("SHOW fsync");
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("on");
                s.execute("CREATE TABLE kept (v int)");
                s.execute("INSERT INTO kept VALUES (42)");
            }
        }
        try (var pg = EmbeddedPostgres.start(data, Map.of());
             var c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT v FROM kept");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }
}
