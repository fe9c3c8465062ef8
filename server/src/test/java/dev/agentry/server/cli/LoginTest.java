package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.server.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agentry login}: a token from stdin, checked with the server, saved readable by its owner only. */
class LoginTest {
    @TempDir Path dir;
    TestServer server;
    final java.io.InputStream stdin = System.in;

    @BeforeEach
    void start() {
        server = new TestServer();
        LoginCommand.environment = Map.of("AGENTRY_CONFIG_DIR", dir.resolve("agentry").toString());
    }

    @AfterEach
    void stop() {
        System.setIn(stdin);
        LoginCommand.environment = System.getenv();
        server.close();
    }

    private CliTest.Result login(String typed) {
        System.setIn(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)));
        return CliTest.agentry("login", "--url", server.url);
    }

    @Test
    void a_good_token_is_saved_with_mode_0600_and_used_by_later_commands() throws Exception {
        var r = login(TestServer.ADMIN_TOKEN + "\n");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.out()).contains("logged in as admin (token bootstrap); saved to " + dir.resolve("agentry").resolve("token"));
        Path file = dir.resolve("agentry").resolve("token");
        assertThat(Files.readString(file).strip()).isEqualTo(TestServer.ADMIN_TOKEN);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(Credentials.token(LoginCommand.environment)).isEqualTo(TestServer.ADMIN_TOKEN);
        assertThat(Credentials.token(Map.of("AGENTRY_CONFIG_DIR", dir.resolve("agentry").toString(), "AGENTRY_TOKEN", "from-env")))
                .as("AGENTRY_TOKEN wins over the saved one").isEqualTo("from-env");
    }

    @Test
    void a_wrong_or_missing_token_is_not_saved() {
        var wrong = login("agy_not-a-token-anybody-made\n");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).contains("token");
        assertThat(login("\n").exitCode()).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("agentry").resolve("token"))).isFalse();
    }
}
