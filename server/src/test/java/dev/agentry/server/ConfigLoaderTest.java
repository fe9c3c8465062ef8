package dev.agentry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir Path home;

    /** Loads with this home (so no real ~/.agentry/agentry.yaml is read) plus the given flags. */
    private ServerConfig load(Map<String, String> flags, Map<String, String> env) {
        var withHome = new java.util.HashMap<>(flags);
        withHome.putIfAbsent("home", home.toString());
        return ConfigLoader.load(withHome, env, null);
    }

    private void writeFile(String yaml) throws IOException {
        Files.writeString(home.resolve("agentry.yaml"), yaml);
    }

    @Test
    void without_file_environment_or_flags_every_setting_has_its_default() {
        var config = load(Map.of(), Map.of());
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.databaseUrl()).as("empty means the embedded database").isNull();
        assertThat(config.nodeName()).as("a generated name, not the placeholder").doesNotStartWith("<").contains("-");
        assertThat(config.slots()).isEqualTo(16);
        assertThat(config.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576);
        assertThat(config.logBytes()).isEqualTo(262_144);
        assertThat(config.dbPoolSize()).isEqualTo(16);
    }

    @Test
    void the_file_overrides_defaults_the_environment_overrides_the_file_and_flags_override_the_environment() throws IOException {
        writeFile("""
                slots: 2
                lease: 10s
                log_bytes: 4096
                max_body: 2048
                """);
        var env = Map.of("AGENTRY_LEASE", "20s", "AGENTRY_LOG_BYTES", "8192");
        var config = load(Map.of("log_bytes", "16384"), env);

        assertThat(config.port()).as("default").isEqualTo(7070);
        assertThat(config.slots()).as("file over default").isEqualTo(2);
        assertThat(config.maxBodyBytes()).as("file over default").isEqualTo(2048);
        assertThat(config.lease()).as("environment over file").isEqualTo(Duration.ofSeconds(20));
        assertThat(config.logBytes()).as("flag over environment and file").isEqualTo(16384);
    }

    @Test
    void every_setting_is_read_from_its_agentry_environment_variable() {
        var env = Map.ofEntries(Map.entry("AGENTRY_BIND", "0.0.0.0"), Map.entry("AGENTRY_PORT", "0"),
                Map.entry("AGENTRY_DATABASE_URL", "jdbc:postgresql://db/agentry"), Map.entry("AGENTRY_NODE_NAME", "n1"),
                Map.entry("AGENTRY_SLOTS", "3"), Map.entry("AGENTRY_LEASE", "1m"), Map.entry("AGENTRY_POLL_INTERVAL", "250ms"),
                Map.entry("AGENTRY_MAX_BODY", "4096"), Map.entry("AGENTRY_LOG_BYTES", "2048"), Map.entry("AGENTRY_DB_POOL_SIZE", "4"),
                Map.entry("AGENTRY_EVENT_RETENTION", "2d"), Map.entry("AGENTRY_SNAPSHOT_INTERVAL", "30s"),
                Map.entry("AGENTRY_HEARTBEAT_INTERVAL", "5s"), Map.entry("AGENTRY_STREAM_BUFFER", "500"),
                Map.entry("AGENTRY_STALL_AFTER", "2m"), Map.entry("AGENTRY_LOG_STREAM_BYTES", "4096"),
                Map.entry("AGENTRY_DEFAULT_POOL", "k8s"), Map.entry("AGENTRY_PLAIN_HTTP_HOSTS", "runner.internal"),
                Map.entry("AGENTRY_GITHUB_API_URL", "https://ghe.example.com/api/v3/"), Map.entry("AGENTRY_GITHUB_TOKEN", "ghp_x"),
                Map.entry("AGENTRY_DEFAULT_MODEL", "gpt-4o"), Map.entry("AGENTRY_GATEWAY_URL", "http://agentry.internal:7070/"),
                Map.entry("AGENTRY_BOOTSTRAP_TOKEN", "automation-token-0123456789"),
                Map.entry("AGENTRY_MASTER_KEY_FILE", "/etc/agentry/master.key"), Map.entry("AGENTRY_PREVIOUS_MASTER_KEY_FILE", "/etc/agentry/old.key"));
        var config = load(Map.of(), env);
        assertThat(config).isEqualTo(new ServerConfig(home.toAbsolutePath(), "0.0.0.0", 0, "jdbc:postgresql://db/agentry", "n1", 3,
                Duration.ofMinutes(1), Duration.ofMillis(250), 4096, 2048, 4, new ServerConfig.Events(Duration.ofDays(2),
                Duration.ofSeconds(30), Duration.ofSeconds(5), 500, Duration.ofMinutes(2), 4096),
                new ServerConfig.Work("k8s", java.util.Set.of("runner.internal"), "https://ghe.example.com/api/v3", "ghp_x", Map.of()),
                new ModelsConfig(Map.of(), "gpt-4o", "http://agentry.internal:7070", java.util.List.of(), Map.of()),
                new ServerConfig.Control("automation-token-0123456789", java.nio.file.Path.of("/etc/agentry/master.key"), null,
                        java.nio.file.Path.of("/etc/agentry/old.key"), null)));
        assertThat(env.keySet()).as("a value for every setting but home, which load() sets as a flag")
                .containsExactlyInAnyOrderElementsOf(ConfigLoader.SETTINGS.keySet().stream()
                        .filter(k -> !k.equals("home")).map(ConfigLoader::envName).toList());
    }

    @Test
    void the_file_is_looked_for_in_the_home_given_by_the_environment() throws IOException {
        writeFile("slots: 5\n");
        var config = ConfigLoader.load(Map.of(), Map.of("AGENTRY_HOME", home.toString()), null);
        assertThat(config.slots()).isEqualTo(5);
        assertThat(config.home()).isEqualTo(home.toAbsolutePath());
    }

    @Test
    void an_explicit_config_file_is_read_instead_and_must_exist(@TempDir Path elsewhere) throws IOException {
        writeFile("slots: 5\n");
        Path file = elsewhere.resolve("other.yaml");
        Files.writeString(file, "slots: 7\n");
        assertThat(ConfigLoader.load(Map.of("home", home.toString()), Map.of(), file).slots()).isEqualTo(7);

        Path missing = elsewhere.resolve("missing.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("home", home.toString()), Map.of(), missing))
                .isInstanceOf(ConfigLoader.BadConfig.class)
                .hasMessageContaining("config file " + missing + " does not exist");
    }

    @Test
    void an_empty_value_in_the_file_is_empty_not_the_text_null() throws IOException {
        writeFile("database_url:\n");
        assertThat(load(Map.of(), Map.of()).databaseUrl()).isNull();
    }

    @Test
    void an_unknown_key_in_the_file_is_rejected_by_name() throws IOException {
        writeFile("slots: 4\nleese: 10s\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of()))
                .isInstanceOf(ConfigLoader.BadConfig.class)
                .hasMessageContaining("unknown setting 'leese'")
                .hasMessageContaining("settings are: home, bind, port");
    }

    @Test
    void a_file_that_is_not_a_flat_map_is_rejected() throws IOException {
        writeFile("slots: [1, 2]\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of())).hasMessageContaining("slots: expected a single value");
        writeFile("- slots\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of())).hasMessageContaining("expected a map of setting: value");
        writeFile("slots: [1\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of())).hasMessageContaining("not valid YAML");
    }

    @Test
    void every_bad_value_is_reported_at_once_naming_its_setting() {
        var flags = Map.of("port", "70000", "lease", "soon", "slots", "0", "poll_interval", "0s", "max_body", "lots",
                "log_bytes", "10", "db_pool_size", "1");
        assertThatThrownBy(() -> load(flags, Map.of()))
                .isInstanceOf(ConfigLoader.BadConfig.class)
                .hasMessageContaining("port: expected a whole number from 0 to 65535, got 70000")
                .hasMessageContaining("lease: expected a duration such as 500ms, 30s or 5m, got 'soon'")
                .hasMessageContaining("slots: expected a whole number from 1 to 10000, got 0")
                .hasMessageContaining("poll_interval: expected a duration")
                .hasMessageContaining("max_body: expected a whole number, got 'lots'")
                .hasMessageContaining("log_bytes: expected a whole number from 1024")
                .hasMessageContaining("db_pool_size: expected a whole number from 2 to 500, got 1")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(7));
    }

    @Test
    void a_lease_shorter_than_300ms_is_refused() {
        assertThatThrownBy(() -> load(Map.of("lease", "100ms"), Map.of())).hasMessage("lease: must be at least 300ms");
        assertThat(load(Map.of("lease", "300ms"), Map.of()).lease()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void a_database_url_that_is_not_jdbc_is_refused_with_its_password_masked() {
        assertThatThrownBy(() -> load(Map.of("database_url", "postgres://agentry:s3cret@db:5432/agentry"), Map.of()))
                .hasMessageContaining("database_url: expected a JDBC URL starting with jdbc:postgresql:")
                .hasMessageContaining("postgres://agentry:***@db:5432/agentry")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> load(Map.of("database_url", "postgresql://db/agentry?user=a&password=s3cret&ssl=true"), Map.of()))
                .hasMessageContaining("password=***&ssl=true")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void redact_masks_a_password_in_the_query_or_the_user_info_and_leaves_other_urls_alone() {
        assertThat(ConfigLoader.redact("jdbc:postgresql://db/agentry?user=a&password=s3cret"))
                .isEqualTo("jdbc:postgresql://db/agentry?user=a&password=***");
        assertThat(ConfigLoader.redact("jdbc:postgresql://db/agentry?PASSWORD=s3cret&user=a"))
                .isEqualTo("jdbc:postgresql://db/agentry?PASSWORD=***&user=a");
        assertThat(ConfigLoader.redact("jdbc:postgresql://a:s3cret@db/agentry")).isEqualTo("jdbc:postgresql://a:***@db/agentry");
        assertThat(ConfigLoader.redact("jdbc:postgresql://db:5432/agentry")).isEqualTo("jdbc:postgresql://db:5432/agentry");
    }

    @Test
    void a_home_starting_with_a_tilde_is_under_the_users_home_directory() {
        Path userHome = Path.of(System.getProperty("user.home")).toAbsolutePath();
        assertThat(ConfigLoader.expandHome("~")).isEqualTo(userHome);
        assertThat(ConfigLoader.expandHome("~/.agentry")).isEqualTo(userHome.resolve(".agentry"));
        assertThat(ConfigLoader.expandHome("~/a/b")).isEqualTo(userHome.resolve("a/b"));
        assertThat(ConfigLoader.expandHome("/srv/agentry")).isEqualTo(Path.of("/srv/agentry"));
        assertThat(ConfigLoader.expandHome("rel")).as("relative to the working directory").isEqualTo(Path.of("rel").toAbsolutePath());
        assertThat(ConfigLoader.expandHome("~other/x")).as("no other users' homes").isEqualTo(Path.of("~other/x").toAbsolutePath());

        var config = ConfigLoader.load(Map.of("home", "~/agentry-config-test-" + System.nanoTime()), Map.of(), null);
        assertThat(config.home().getParent()).isEqualTo(userHome);
        assertThat(config.home()).as("loading does not create it").doesNotExist();
    }

    @Test
    void the_names_of_a_setting_are_derived_one_way() {
        assertThat(ConfigLoader.envName("poll_interval")).isEqualTo("AGENTRY_POLL_INTERVAL");
        assertThat(ConfigLoader.flagName("poll_interval")).isEqualTo("--poll-interval");
    }

    @Test
    void the_configuration_reference_documents_every_setting() throws IOException {
        String doc = Files.readString(docs().resolve("configuration.md"));
        var undocumented = ConfigLoader.SETTINGS.keySet().stream()
                .filter(name -> !doc.contains("| `" + name + "` | `" + ConfigLoader.envName(name) + "` | `" + ConfigLoader.flagName(name) + "` |"))
                .toList();
        assertThat(undocumented).as("settings without a row `| `name` | `AGENTRY_NAME` | `--name` |` in docs/configuration.md").isEmpty();
    }

    /** The repository's docs directory; tests run in the server module's directory. */
    static Path docs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/configuration.md"))) {
                return dir.resolve("docs");
            }
        }
        throw new AssertionError("no docs/configuration.md above " + Path.of("").toAbsolutePath());
    }
}
