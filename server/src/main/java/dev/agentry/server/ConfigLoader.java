package dev.agentry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentry.core.pipeline.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Builds a {@link ServerConfig} from, in rising precedence: defaults, the file
 * ({@code $AGENTRY_HOME/agentry.yaml} or {@code --config}), environment variables, and flags.
 * Every setting has one name in each place: {@code poll_interval} in the file,
 * {@code AGENTRY_POLL_INTERVAL} in the environment ({@link #envName}), {@code --poll-interval} on the
 * command line ({@link #flagName}); {@code serve} derives its flags from {@link #SETTINGS}.
 */
public final class ConfigLoader {
    /** One setting: its default (as it would be written), the kind of value its flag takes, and what it does. */
    public record Setting(String defaultValue, String valueLabel, String description) {}

    /**
     * Setting name (as written in the file) -> setting. The configuration reference,
     * docs/configuration.md, documents every one of them (a test checks that it names each).
     */
    public static final Map<String, Setting> SETTINGS;

    static {
        var settings = new LinkedHashMap<String, Setting>();
        settings.put("home", new Setting("~/.agentry", "DIR", "Data directory: the embedded database and run working directories."));
        settings.put("bind", new Setting("127.0.0.1", "ADDRESS", "Address the HTTP server listens on. Use 0.0.0.0 to accept remote connections."));
        settings.put("port", new Setting("7070", "PORT", "HTTP port; 0 picks a free port (printed when ready)."));
        settings.put("database_url", new Setting("", "JDBC_URL", "JDBC URL of an external PostgreSQL; empty runs the embedded one under home."));
        settings.put("node_name", new Setting("<host>-<random>", "NAME", "This node's name in step leases; must be unique among live nodes."));
        settings.put("slots", new Setting("16", "N", "Step attempts this node executes at once."));
        settings.put("lease", new Setting("30s", "DURATION", "How long a claimed step stays with its node without renewal; a dead node's steps move on after this."));
        settings.put("poll_interval", new Setting("5s", "DURATION", "Fallback wake-up when no NOTIFY arrives."));
        settings.put("max_body", new Setting("1048576", "BYTES", "Largest request body accepted, in bytes."));
        settings.put("log_bytes", new Setting("262144", "BYTES", "Bytes of each step attempt's output kept (the tail)."));
        settings.put("db_pool_size", new Setting("16", "N", "Database connections this node opens (plus one for LISTEN)."));
        settings.put("event_retention", new Setting("7d", "DURATION", "How long the event log keeps events; older ones are removed in the background."));
        settings.put("snapshot_interval", new Setting("60s", "DURATION", "How often an event stream gets a fresh snapshot."));
        settings.put("heartbeat_interval", new Setting("15s", "DURATION", "How often an idle event stream gets a comment line, so proxies keep it open."));
        settings.put("stream_buffer", new Setting("10000", "N", "Live events a stream may fall behind before it is cut off (it resumes by Last-Event-ID)."));
        settings.put("stall_after", new Setting("5m", "DURATION", "How long a running step may show no sign of life (output, progress) before it is reported stalled."));
        settings.put("log_stream_bytes", new Setting("8388608", "BYTES", "Bytes of each step attempt's output streamed live as step.log events."));
        settings.put("default_pool", new Setting("local", "NAME", "The runner pool that runs steps which name no pool and no labels."));
        settings.put("plain_http_hosts", new Setting("127.0.0.1,localhost,::1", "HOSTS", "Hosts a runner-pool manifest may call over plain http; every other host needs https."));
        settings.put("github_api_url", new Setting("https://api.github.com", "URL", "The GitHub REST API; for GitHub Enterprise, https://<host>/api/v3."));
        settings.put("github_token", new Setting("", "TOKEN", "Token the GitHub forge uses when a repository has no credential of its own. Prefer the environment variable to a file or flag."));
        settings.put("bootstrap_token", new Setting("", "TOKEN", "The first administrator's API token, for automation: on its first start the server makes the user admin with this token instead of printing a new one. At least 16 characters; prefer the environment variable."));
        settings.put("master_key_file", new Setting("<home>/master.key", "FILE", "The secrets vault's master key (base64 of 32 random bytes, one line); made, readable by its owner only, when missing. AGENTRY_MASTER_KEY gives the key itself instead. Back it up apart from the data."));
        settings.put("previous_master_key_file", new Setting("", "FILE", "During a master key rotation, the key being rotated away from (or AGENTRY_PREVIOUS_MASTER_KEY): the server re-wraps every secret's data key under the current key as it starts."));
        settings.put("default_model", new Setting("", "PROVIDER/MODEL", "The model agent steps use when neither the step nor its agent kind names one; empty picks anthropic/claude-sonnet-4-5 when ANTHROPIC_API_KEY is set, else openai/gpt-4.1 when OpenAI is configured."));
        settings.put("gateway_url", new Setting("", "URL", "The server's URL as agents reach its model gateway (on runners on other machines, an address they can reach); empty means http://127.0.0.1:<port>."));
        SETTINGS = Collections.unmodifiableMap(settings);
    }

    /** {@code poll_interval} -> {@code AGENTRY_POLL_INTERVAL}. */
    public static String envName(String setting) {
        return "AGENTRY_" + setting.toUpperCase(Locale.ROOT);
    }

    /** {@code poll_interval} -> {@code --poll-interval}. */
    public static String flagName(String setting) {
        return "--" + setting.replace('_', '-');
    }

    private ConfigLoader() {}

    /** Raised with every bad setting named: the server does not start half-configured. */
    public static final class BadConfig extends RuntimeException {
        BadConfig(List<String> problems) {
            super(String.join("\n", problems));
        }
    }

    /**
     * @param flags      values given on the command line (setting name -> value), highest precedence
     * @param env        the environment
     * @param configFile an explicit file, or null to read {@code <home>/agentry.yaml} when it exists
     */
    public static ServerConfig load(Map<String, String> flags, Map<String, String> env, Path configFile) {
        var values = new LinkedHashMap<String, String>();
        SETTINGS.forEach((k, v) -> values.put(k, v.defaultValue()));
        var problems = new ArrayList<String>();

        String home = firstNonNull(flags.get("home"), env.get(envName("home")), values.get("home"));
        Path file = configFile != null ? configFile : expandHome(home).resolve("agentry.yaml");
        var sections = new LinkedHashMap<String, JsonNode>();
        if (configFile != null && !Files.isRegularFile(configFile)) {
            problems.add("config file " + configFile + " does not exist");
        } else if (Files.isRegularFile(file)) {
            readFile(file, values, sections, problems);
        }
        SETTINGS.keySet().forEach(k -> {
            String fromEnv = env.get(envName(k));
            if (fromEnv != null) {
                values.put(k, fromEnv);
            }
        });
        if (env.get(envName("github_token")) == null && env.get("GITHUB_TOKEN") != null && values.get("github_token").isBlank()) {
            values.put("github_token", env.get("GITHUB_TOKEN")); // what gh and GitHub Actions set
        }
        values.putAll(flags);

        Path homePath = expandHome(values.get("home"));
        String bind = values.get("bind");
        int port = integer(values, "port", 0, 65535, problems);
        String url = values.get("database_url");
        if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql:")) {
            problems.add("database_url: expected a JDBC URL starting with jdbc:postgresql:, got '" + redact(url) + "'");
        }
        String node = values.get("node_name");
        if (node == null || node.isBlank() || node.startsWith("<")) {
            node = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
        int slots = integer(values, "slots", 1, 10_000, problems);
        Duration lease = duration(values, "lease", problems);
        Duration poll = duration(values, "poll_interval", problems);
        long maxBody = integer(values, "max_body", 1024, 1 << 30, problems);
        int logBytes = integer(values, "log_bytes", 1024, 64 << 20, problems);
        int pool = integer(values, "db_pool_size", 2, 500, problems);
        var events = new ServerConfig.Events(duration(values, "event_retention", problems),
                duration(values, "snapshot_interval", problems), duration(values, "heartbeat_interval", problems),
                integer(values, "stream_buffer", 10, 1_000_000, problems), duration(values, "stall_after", problems),
                integer(values, "log_stream_bytes", 0, 1 << 30, problems));
        if (lease != null && lease.toMillis() < 300) {
            problems.add("lease: must be at least 300ms");
        }
        // Heartbeats are written with each lease renewal (every third of the lease): a window shorter than two
        // of them would report steps that print all the time as stalled between renewals.
        if (lease != null && events.stallAfter() != null && events.stallAfter().compareTo(lease.multipliedBy(2).dividedBy(3)) < 0) {
            problems.add("stall_after: must be at least two thirds of the lease (" + Durations.format(lease.multipliedBy(2).dividedBy(3))
                    + "): running steps' heartbeats are written every third of the lease");
        }
        String defaultPool = values.get("default_pool").trim();
        if (!defaultPool.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            problems.add("default_pool: expected a pool name (lower-case letters, digits, '-' or '_'), got '" + defaultPool + "'");
        }
        String githubApi = values.get("github_api_url").trim();
        if (!githubApi.startsWith("https://") && !githubApi.startsWith("http://")) {
            problems.add("github_api_url: expected an http(s) URL, got '" + githubApi + "'");
        }
        var hosts = new java.util.LinkedHashSet<String>();
        for (String h : values.get("plain_http_hosts").split(",")) {
            if (!h.isBlank()) {
                hosts.add(h.trim().toLowerCase(Locale.ROOT));
            }
        }
        String githubToken = values.get("github_token");
        var work = new ServerConfig.Work(defaultPool, hosts, githubApi.replaceAll("/+$", ""),
                githubToken == null || githubToken.isBlank() ? null : githubToken.trim(), secrets(env));
        String gatewayUrl = values.get("gateway_url");
        if (gatewayUrl != null && !gatewayUrl.isBlank() && !gatewayUrl.trim().matches("https?://[^\\s/]+(/\\S*)?")) {
            problems.add("gateway_url: expected an http(s) URL such as http://agentry.internal:7070, got '" + gatewayUrl + "'");
        }
        var models = ModelsConfig.load(sections, env, values.get("default_model"), gatewayUrl, problems);
        String bootstrap = values.get("bootstrap_token");
        bootstrap = bootstrap == null || bootstrap.isBlank() ? null : bootstrap.strip();
        if (bootstrap != null && (bootstrap.length() < 16 || bootstrap.length() > 512)) {
            problems.add("bootstrap_token: expected at least 16 characters (and at most 512)");
        }
        String keyFile = values.get("master_key_file");
        String previousFile = values.get("previous_master_key_file");
        var control = new ServerConfig.Control(bootstrap,
                keyFile == null || keyFile.isBlank() || keyFile.startsWith("<") ? null : expandHome(keyFile.strip()),
                blankToNull(env.get("AGENTRY_MASTER_KEY")),
                previousFile == null || previousFile.isBlank() ? null : expandHome(previousFile.strip()),
                blankToNull(env.get("AGENTRY_PREVIOUS_MASTER_KEY")));
        if (!problems.isEmpty()) {
            throw new BadConfig(problems);
        }
        return new ServerConfig(homePath, bind, port, url == null || url.isBlank() ? null : url, node, slots, lease, poll,
                maxBody, logBytes, pool, events, work, models, control);
    }

    /** The prefix of environment variables that hold secrets: {@code AGENTRY_SECRET_GIT_TOKEN} is secret {@code git-token}. */
    public static final String SECRET_PREFIX = "AGENTRY_SECRET_";

    /** Secrets from the environment, by name: lower case, {@code _} read as {@code -}. */
    static Map<String, String> secrets(Map<String, String> env) {
        var secrets = new LinkedHashMap<String, String>();
        env.forEach((k, v) -> {
            if (k.startsWith(SECRET_PREFIX) && k.length() > SECRET_PREFIX.length()) {
                secrets.put(secretName(k.substring(SECRET_PREFIX.length())), v);
            }
        });
        return secrets;
    }

    /** {@code GIT_TOKEN} -> {@code git-token}: how secret names are written in repositories and manifests. */
    public static String secretName(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void readFile(Path file, Map<String, String> values, Map<String, JsonNode> sections, List<String> problems) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            if (root == null || root.isNull()) {
                return;
            }
            if (!root.isObject()) {
                problems.add(file + ": expected a map of setting: value");
                return;
            }
            root.fields().forEachRemaining(e -> {
                if (ModelsConfig.SECTIONS.contains(e.getKey())) {
                    sections.put(e.getKey(), e.getValue());
                } else if (!SETTINGS.containsKey(e.getKey())) {
                    problems.add(file + ": unknown setting '" + e.getKey() + "'; settings are: " + String.join(", ", SETTINGS.keySet())
                            + ", and the sections " + String.join(", ", ModelsConfig.SECTIONS.stream().sorted().toList()));
                } else if (!e.getValue().isValueNode()) {
                    problems.add(file + ": " + e.getKey() + ": expected a single value");
                } else {
                    // "database_url:" with nothing after it is YAML null: read it as empty, not as the text "null"
                    values.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
                }
            });
        } catch (IOException e) {
            problems.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static int integer(Map<String, String> values, String key, int min, int max, List<String> problems) {
        String v = values.get(key);
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                problems.add(key + ": expected a whole number from " + min + " to " + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException | NullPointerException e) {
            problems.add(key + ": expected a whole number, got '" + v + "'");
            return min;
        }
    }

    private static Duration duration(Map<String, String> values, String key, List<String> problems) {
        String v = values.get(key);
        var d = Durations.parse(v == null ? null : v.trim());
        if (d.isEmpty() || d.get().isZero()) {
            problems.add(key + ": expected a duration such as 500ms, 30s or 5m, got '" + v + "'");
            return null;
        }
        return d.get();
    }

    static Path expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(path.equals("~") ? "" : path.substring(2)).toAbsolutePath();
        }
        return Path.of(path).toAbsolutePath();
    }

    /** A JDBC URL with any password taken out, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "node";
        }
    }
}
