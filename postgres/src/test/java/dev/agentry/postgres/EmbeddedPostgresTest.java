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

    @Test
    void asks_every_connection_for_the_password_kept_in_a_file_only_its_owner_reads() throws Exception {
        Path data = home.resolve("postgres");
        try (var pg = EmbeddedPostgres.start(data, Map.of())) {
            Path passwordFile = home.resolve("postgres.password");
            assertThat(java.nio.file.Files.getPosixFilePermissions(passwordFile))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            String withoutPassword = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?user=postgres";
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DriverManager.getConnection(withoutPassword).close())
                    .isInstanceOf(java.sql.SQLException.class).hasMessageContaining("password");
            try (var c = DriverManager.getConnection(pg.jdbcUrl())) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
    }

    @Test
    void a_database_url_password_stays_out_of_what_the_driver_reports() throws Exception {
        Path data = home.resolve("postgres");
        try (var pg = EmbeddedPostgres.start(data, Map.of()); var db = Database.open(pg.jdbcUrl(), 2);
             var c = db.dataSource().getConnection()) {
            assertThat(c.getMetaData().getURL()).doesNotContain("password");
        }
    }
}
