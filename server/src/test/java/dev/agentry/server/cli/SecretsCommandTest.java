package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresVault;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.postgres.vault.MasterKey;
import dev.agentry.postgres.vault.MasterKeys;
import dev.agentry.server.http.ApiProblem;
import dev.agentry.server.http.HttpApi;
import dev.agentry.server.http.SecretRoutes;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/** {@code agentry secrets}, run in this JVM against the vault's routes on a real server and database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsCommandTest {
    static final String VALUE = "pa55-w0rd-canary-value";

    Database db;
    PostgresVault vault;
    Javalin app;
    String url;

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** A terminal whose person types {@code typed}; reading standard input instead fails the test. */
    static final class FakeTerminal implements SecretsCommand.Terminal {
        final boolean interactive;
        final String piped;
        final char[] typed;
        final List<String> prompts = new ArrayList<>();

        FakeTerminal(boolean interactive, String piped, String typed) {
            this.interactive = interactive;
            this.piped = piped;
            this.typed = typed == null ? null : typed.toCharArray();
        }

        static FakeTerminal piped(String stdin) {
            return new FakeTerminal(false, stdin, null);
        }

        static FakeTerminal typing(String typed) {
            return new FakeTerminal(true, null, typed);
        }

        @Override
        public boolean interactive() {
            return interactive;
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            return typed;
        }

        @Override
        public InputStream stdin() {
            if (piped == null) {
                throw new AssertionError("a terminal's value must be read without echo, not from standard input");
            }
            return new ByteArrayInputStream(piped.getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeAll
    void start() {
        db = TestDatabase.fresh();
        vault = new PostgresVault(db, MasterKeys.of(MasterKey.fromBase64(MasterKey.generate(), "test key")), Clock.systemUTC());
        var routes = new SecretRoutes(vault, Clock.systemUTC());
        app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            routes.addTo(config.routes);
            config.routes.exception(ApiProblem.class, (e, ctx) -> HttpApi.problem(ctx, e));
        }).start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + app.port();
    }

    @AfterAll
    void stop() {
        app.stop();
        db.close();
    }

    Result secrets(SecretsCommand.Terminal terminal, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                return cls == SecretsCommand.SetSecret.class ? (K) new SecretsCommand.SetSecret(terminal)
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        var cli = new CommandLine(new SecretsCommand(), factory);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(Stream.concat(Stream.of(args), Stream.of("--url", url)).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void set_reads_piped_standard_input_strips_one_trailing_newline_and_prints_no_value() {
        var result = secrets(FakeTerminal.piped(VALUE + "\n"), "set", "PIPED");
        var twoLines = secrets(FakeTerminal.piped("line one\nline two\n\n"), "set", "TWO_LINES");
        var windows = secrets(FakeTerminal.piped(VALUE + "\r\n"), "set", "CRLF");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).isEqualTo("secret PIPED set (version 1)\n");
        assertThat(result.all()).doesNotContain(VALUE);
        assertThat(vault.reveal("default", "PIPED")).hasValue(VALUE);
        assertThat(vault.reveal("default", "TWO_LINES")).hasValue("line one\nline two\n");
        assertThat(vault.reveal("default", "CRLF")).hasValue(VALUE);
        assertThat(windows.all()).doesNotContain(VALUE);
    }

    @Test
    void set_on_a_terminal_reads_the_value_without_echo() {
        var terminal = FakeTerminal.typing(VALUE);

        var result = secrets(terminal, "set", "TYPED", "--integration", "github");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(terminal.prompts).containsExactly("Value for TYPED: ");
        assertThat(result.out()).isEqualTo("secret TYPED set (version 1, for github only)\n");
        assertThat(result.all()).doesNotContain(VALUE);
        assertThat(vault.reveal("default", "TYPED")).hasValue(VALUE);
        assertThat(vault.find("default", "TYPED").orElseThrow().integration()).isEqualTo("github");
    }

    @Test
    void standard_input_that_is_not_a_terminal_is_read_as_piped() {
        // The test JVM's standard input is a pipe from the build: on JDK 22+ there may still be a Console.
        assertThat(SecretsCommand.Terminal.system().interactive()).isFalse();
    }

    @Test
    void set_without_a_value_is_refused_and_stores_nothing() {
        var piped = secrets(FakeTerminal.piped("\n"), "set", "EMPTY");
        var typed = secrets(FakeTerminal.typing(null), "set", "EMPTY");

        assertThat(piped.exitCode()).isEqualTo(2);
        assertThat(piped.err()).contains("no value given for EMPTY");
        assertThat(typed.exitCode()).isEqualTo(2);
        assertThat(vault.find("default", "EMPTY")).isEmpty();
    }

    @Test
    void a_refused_name_is_reported_from_the_server_without_the_value() {
        var result = secrets(FakeTerminal.piped(VALUE), "set", "bad.name");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("'bad.name' is not a valid secret name");
        assertThat(result.all()).doesNotContain(VALUE);
    }

    @Test
    void list_shows_names_and_versions_and_never_a_value() {
        secrets(FakeTerminal.piped(VALUE), "set", "LISTED");
        secrets(FakeTerminal.piped(VALUE + "-2"), "set", "LISTED");

        var table = secrets(null, "list");
        var json = secrets(null, "list", "--json");

        assertThat(table.exitCode()).as(table.all()).isZero();
        assertThat(table.out()).startsWith("NAME").contains("INTEGRATION").containsPattern("LISTED +- +2 ");
        assertThat(json.out()).contains("\"name\" : \"LISTED\"");
        assertThat(table.all() + json.all()).doesNotContain(VALUE);
    }

    @Test
    void rm_deletes_a_secret_and_a_second_rm_fails_with_the_servers_reason() {
        secrets(FakeTerminal.piped(VALUE), "set", "GONE");

        var removed = secrets(null, "rm", "GONE");
        var again = secrets(null, "rm", "GONE");

        assertThat(removed.exitCode()).isZero();
        assertThat(removed.out()).isEqualTo("secret GONE removed\n");
        assertThat(vault.find("default", "GONE")).isEmpty();
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("no secret 'GONE' in workspace 'default'");
    }
}
