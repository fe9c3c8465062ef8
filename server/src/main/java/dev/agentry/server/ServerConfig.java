package dev.agentry.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code agentry serve} can be told, with defaults; validated once in {@link ConfigLoader}
 * and never changed after start.
 *
 * @param home          data directory: embedded database, run working directories
 * @param bind          address to listen on (127.0.0.1 unless told otherwise)
 * @param port          HTTP port; 0 picks a free one
 * @param databaseUrl   external PostgreSQL JDBC URL; null runs the embedded one under {@code home}
 * @param nodeName      this node's name in leases (unique among live nodes)
 * @param slots         step attempts this node executes at once
 * @param lease         how long a claimed attempt stays ours without renewal
 * @param pollInterval  fallback wake-up when no signal arrives
 * @param maxBodyBytes  largest request body accepted
 * @param logBytes      bytes of each step attempt's log kept (the tail)
 * @param dbPoolSize    database connections
 * @param events        the event log and its streams
 * @param work          runner pools, forges and the secrets they use
 * @param models        model providers, agent kinds, prices and the gateway
 * @param control       accounts, tokens and the other controls
 */
public record ServerConfig(
        Path home,
        String bind,
        int port,
        String databaseUrl,
        String nodeName,
        int slots,
        Duration lease,
        Duration pollInterval,
        long maxBodyBytes,
        int logBytes,
        int dbPoolSize,
        Events events,
        Work work,
        ModelsConfig models,
        Control control) {

    /**
     * @param bootstrapToken        the first administrator's API token when the server makes them (on its first
     *                              start); null makes one and prints it once
     * @param masterKeyFile         the vault's master key file; null means {@code <home>/master.key}, made when missing
     * @param masterKey             the master key itself (base64), from {@code AGENTRY_MASTER_KEY}; wins over the file
     * @param previousMasterKeyFile the key being rotated away from, while a rotation is under way; null for none
     * @param previousMasterKey     the same, from {@code AGENTRY_PREVIOUS_MASTER_KEY}
     */
    public record Control(String bootstrapToken, Path masterKeyFile, String masterKey, Path previousMasterKeyFile,
                          String previousMasterKey) {
        public static final Control DEFAULTS = new Control(null, null, null, null, null);

        public Control(String bootstrapToken) {
            this(bootstrapToken, null, null, null, null);
        }

        @Override
        public String toString() {
            return "Control[bootstrapToken=" + (bootstrapToken == null ? "none" : "(set)") + ", masterKeyFile=" + masterKeyFile
                    + ", masterKey=" + (masterKey == null ? "none" : "(set)") + ", previousMasterKeyFile=" + previousMasterKeyFile
                    + ", previousMasterKey=" + (previousMasterKey == null ? "none" : "(set)") + "]";
        }
    }

    /**
     * @param retention      how long the event log keeps events
     * @param snapshotEvery  how often a stream gets a fresh snapshot
     * @param heartbeat      how often an idle stream gets a comment line
     * @param streamBuffer   live events a stream may fall behind before it is cut off
     * @param stallAfter     how long a running step may show no sign of life before it is reported stalled
     * @param logStreamBytes bytes of a step attempt's output streamed as step.log events
     */
    public record Events(Duration retention, Duration snapshotEvery, Duration heartbeat, int streamBuffer,
                         Duration stallAfter, int logStreamBytes) {}

    /**
     * @param defaultPool    the pool steps that name no pool and no labels run on
     * @param plainHttpHosts hosts a pool manifest may call over plain http (all others need https)
     * @param githubApiUrl   the GitHub REST API: https://api.github.com, or a GitHub Enterprise server's /api/v3
     * @param githubToken    the token the GitHub forge calls with when a repository has no credential of its own
     * @param secrets        secrets by name (from {@code AGENTRY_SECRET_<NAME>}), referenced by repositories and
     *                       manifests; never printed
     */
    public record Work(String defaultPool, java.util.Set<String> plainHttpHosts, String githubApiUrl, String githubToken,
                       java.util.Map<String, String> secrets) {
        public Work {
            plainHttpHosts = java.util.Set.copyOf(plainHttpHosts);
            secrets = java.util.Map.copyOf(secrets);
        }

        public static final Work DEFAULTS = new Work("local", java.util.Set.of("127.0.0.1", "localhost", "::1"),
                "https://api.github.com", null, java.util.Map.of());

        @Override
        public String toString() {
            return "Work[defaultPool=" + defaultPool + ", plainHttpHosts=" + plainHttpHosts + ", githubApiUrl=" + githubApiUrl
                    + ", githubToken=" + (githubToken == null ? "none" : "(set)") + ", secrets=" + secrets.keySet() + "]";
        }
    }
}
