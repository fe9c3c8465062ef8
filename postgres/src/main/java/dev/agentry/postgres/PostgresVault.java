package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.secret.Exchange;
import dev.agentry.core.secret.InvalidSecret;
import dev.agentry.core.secret.Lease;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.core.secret.Redactor;
import dev.agentry.core.secret.Rotation;
import dev.agentry.core.secret.SecretInfo;
import dev.agentry.core.secret.SecretUnreadable;
import dev.agentry.core.secret.SecretValue;
import dev.agentry.core.secret.Secrets;
import dev.agentry.postgres.vault.Envelope;
import dev.agentry.postgres.vault.Envelope.Sealed;
import dev.agentry.postgres.vault.MasterKey;
import dev.agentry.postgres.vault.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets vault in PostgreSQL, with envelope encryption ({@link Envelope}): the database holds ciphertexts and
 * wrapped data keys, never a value nor a master key. Lease tokens are 256 random bits of which only the SHA-256
 * is stored. Nothing this class logs or throws carries a value or a token.
 */
public final class PostgresVault implements Secrets {
    private static final Logger log = LoggerFactory.getLogger(PostgresVault.class);
    /** Lease tokens start so, to be recognisable in a leaked log and by secret scanners. */
    static final String TOKEN_PREFIX = "agl_";
    /** Data keys re-wrapped per transaction during a rotation. */
    public static final int ROTATION_BATCH = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;
    private final AtomicReference<MasterKeys> keys;
    private final Sql secrets = Sql.load("secret");
    private final Sql leases = Sql.load("secret_lease");

    public PostgresVault(Database db, MasterKeys keys, Clock clock) {
        this.db = db;
        this.keys = new AtomicReference<>(keys);
        this.clock = clock;
    }

    private record SealedRow(long id, String workspace, String name, Sealed sealed) {}

    @Override
    public SecretInfo put(String workspace, String integration, String name, char[] value) {
        Secrets.checkName(name);
        Secrets.checkIntegration(integration);
        byte[] plaintext = SecretValue.encode(value);
        try {
            return db.inTransaction(c -> {
                List<Long> existing = secrets.list(c, "SecretGetForUpdate", params("workspace", workspace, "name", name),
                        rs -> rs.getLong("id"));
                long id = existing.isEmpty() ? nextId(c) : existing.get(0);
                Sealed sealed = Envelope.seal(keys.get().current(), id, plaintext);
                var values = params("id", id, "workspace", workspace, "integration", integration, "name", name,
                        "ciphertext", sealed.ciphertext(), "wrapped_key", sealed.wrappedKey(),
                        "master_key_id", sealed.masterKeyId(), "now", clock.instant());
                List<SecretInfo> stored = secrets.list(c, existing.isEmpty() ? "SecretInsert" : "SecretReplace", values,
                        PostgresVault::info);
                if (stored.isEmpty()) {
                    throw new Database.ConcurrentChange("secret '" + name + "' was created by another request meanwhile");
                }
                return stored.get(0);
            });
        } catch (Database.DatabaseException e) {
            if ("23503".equals(e.sqlState())) { // the workspace foreign key
                throw new NotFound("workspace", "no workspace '" + workspace + "'");
            }
            throw e;
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private long nextId(Connection c) throws SQLException {
        return secrets.list(c, "SecretNextId", Map.of(), rs -> rs.getLong("id")).get(0);
    }

    @Override
    public List<SecretInfo> list(String workspace) {
        return db.read(c -> secrets.list(c, "SecretList", params("workspace", workspace), PostgresVault::info));
    }

    @Override
    public Optional<SecretInfo> find(String workspace, String name) {
        return db.read(c -> secrets.list(c, "SecretGet", params("workspace", workspace, "name", name), PostgresVault::info))
                .stream().findFirst();
    }

    @Override
    public boolean delete(String workspace, String name) {
        return db.inTransaction(c -> {
            try (var ps = secrets.prepare(c, "SecretDelete", params("workspace", workspace, "name", name))) {
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<String> reveal(String workspace, String name) {
        return db.read(c -> secrets.list(c, "SecretGetSealed", params("workspace", workspace, "name", name),
                PostgresVault::sealedRow)).stream().findFirst().map(this::open);
    }

    @Override
    public Lease lease(LeaseRequest request) {
        Secrets.checkName(request.name());
        record Target(long id, String integration) {}
        Target target = db.read(c -> secrets.list(c, "SecretGet", params("workspace", request.workspace(), "name", request.name()),
                rs -> new Target(rs.getLong("id"), rs.getString("integration")))).stream().findFirst().orElseThrow(() ->
                new NotFound("name", "no secret '" + request.name() + "' in workspace '" + request.workspace() + "'"));
        if (target.integration() != null && !target.integration().equals(request.integration())) {
            throw new InvalidSecret("integration", "secret '" + request.name() + "' is for integration '" + target.integration()
                    + "' only, not for " + (request.integration() == null ? "a step's own use" : "'" + request.integration() + "'"));
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Arrays.fill(random, (byte) 0);
        Instant now = clock.instant();
        // PostgreSQL keeps microseconds: hand out the instant as stored.
        Instant expiresAt = now.plus(request.ttl()).truncatedTo(ChronoUnit.MICROS);
        long id = db.inTransaction(c -> leases.list(c, "SecretLeaseInsert", params("token_hash", hash(token),
                "secret_id", target.id(), "workspace", request.workspace(), "run_id", request.runId(),
                "step_id", request.stepId(), "expires_at", expiresAt, "now", now), rs -> rs.getLong("id")).get(0));
        return new Lease(id, token, expiresAt);
    }

    @Override
    public Exchange exchange(String token, Instant now) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
            return Exchange.refused(Exchange.Refusal.UNKNOWN);
        }
        byte[] tokenHash = hash(token);
        // One transaction: should the value not decrypt, the lease is not spent.
        return db.inTransaction(c -> {
            record Spent(SealedRow row, long runId, String stepId) {}
            List<Spent> spent = leases.list(c, "SecretLeaseExchange", params("token_hash", tokenHash, "now", now),
                    rs -> new Spent(sealedRow(rs), rs.getLong("run_id"), rs.getString("step_id")));
            if (!spent.isEmpty()) {
                var s = spent.get(0);
                return Exchange.revealed(s.row().workspace(), s.row().name(), s.runId(), s.stepId(), open(s.row()));
            }
            List<Boolean> exchanged = leases.list(c, "SecretLeaseGet", params("token_hash", tokenHash),
                    rs -> rs.getObject("exchanged_at") != null);
            if (exchanged.isEmpty()) {
                return Exchange.refused(Exchange.Refusal.UNKNOWN);
            }
            return Exchange.refused(exchanged.get(0) ? Exchange.Refusal.ALREADY_EXCHANGED : Exchange.Refusal.EXPIRED);
        });
    }

    @Override
    public Rotation rotateMasterKey(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        MasterKeys held = keys.get();
        MasterKey target = held.current();
        record Wrapped(long id, byte[] key, String masterKeyId) {}
        long rewrapped = 0;
        while (true) {
            int done = db.inTransaction(c -> {
                List<Wrapped> batch = secrets.list(c, "SecretListToRewrap", params("master_key_id", target.id(), "limit", batchSize),
                        rs -> new Wrapped(rs.getLong("id"), rs.getBytes("wrapped_key"), rs.getString("master_key_id")));
                for (Wrapped w : batch) {
                    byte[] key = Envelope.rewrap(held, w.id(), w.key(), w.masterKeyId(), target);
                    try (var ps = secrets.prepare(c, "SecretRewrap", params("id", w.id(), "wrapped_key", key, "master_key_id", target.id()))) {
                        ps.executeUpdate();
                    }
                }
                return batch.size();
            });
            if (done == 0) {
                break;
            }
            rewrapped += done;
        }
        long remaining = dataKeysByMasterKey().entrySet().stream()
                .filter(e -> !e.getKey().equals(target.id())).mapToLong(Map.Entry::getValue).sum();
        if (rewrapped > 0 || remaining > 0) {
            log.info("re-wrapped {} data keys under master key {}; {} remain under other keys", rewrapped, target.id(), remaining);
        }
        return new Rotation(target.id(), rewrapped, remaining);
    }

    /**
     * Makes {@code next} the current master key (the current one stays loaded as the previous) and re-wraps every
     * data key under it. Secrets stay readable throughout. On a cluster every node must hold both keys before any
     * writes with the new one: see {@code docs/secrets.md}.
     */
    public Rotation rotate(MasterKey next) {
        keys.updateAndGet(k -> k.current().equals(next) ? k : k.rotatedTo(next));
        return rotateMasterKey(ROTATION_BATCH);
    }

    /** Forgets the previous master key; refused while any data key is still wrapped under it. */
    public MasterKeys dropPreviousMasterKey() {
        MasterKeys held = keys.get();
        if (held.previous() != null) {
            long left = dataKeysByMasterKey().getOrDefault(held.previous().id(), 0L);
            if (left > 0) {
                throw new IllegalStateException(left + " secrets are still wrapped under master key " + held.previous().id()
                        + "; finish the rotation (rotateMasterKey) before dropping it");
            }
        }
        return keys.updateAndGet(MasterKeys::withoutPrevious);
    }

    /** Replaces the master keys this vault holds (a configuration reload). */
    public void useMasterKeys(MasterKeys next) {
        keys.set(next);
    }

    public MasterKeys masterKeys() {
        return keys.get();
    }

    /** How many data keys each master key wraps, by master key id. */
    public Map<String, Long> dataKeysByMasterKey() {
        return db.read(c -> {
            var counts = new LinkedHashMap<String, Long>();
            secrets.list(c, "SecretCountByMasterKey", Map.of(), rs -> counts.put(rs.getString("master_key_id"), rs.getLong("secrets")));
            return counts;
        });
    }

    /**
     * The master key ids that wrap stored data keys but are not held here: a node started with the wrong key
     * (or without the previous one mid-rotation) should say so at start, not at the first secret it needs.
     */
    public List<String> missingMasterKeys() {
        MasterKeys held = keys.get();
        return dataKeysByMasterKey().keySet().stream().filter(id -> held.find(id).isEmpty()).toList();
    }

    /** Deletes leases that expired before {@code before}; returns how many. */
    public int pruneLeases(Instant before) {
        return db.inTransaction(c -> {
            try (var ps = leases.prepare(c, "SecretLeasePrune", params("before", before))) {
                return ps.executeUpdate();
            }
        });
    }

    /** Every readable value of the workspace in one query; one that cannot be decrypted is left out (and logged). */
    @Override
    public Redactor redactor(String workspace) {
        List<SealedRow> rows = db.read(c -> secrets.list(c, "SecretListSealed", params("workspace", workspace), PostgresVault::sealedRow));
        var values = new ArrayList<String>(rows.size());
        for (SealedRow row : rows) {
            try {
                values.add(open(row));
            } catch (SecretUnreadable e) {
                log.warn("secret {} of workspace {} is left out of redaction: {}", row.name(), workspace, e.getMessage());
            }
        }
        return Redactor.of(values);
    }

    private String open(SealedRow row) {
        byte[] plaintext = Envelope.open(keys.get(), row.id(), row.sealed());
        try {
            return new String(plaintext, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static SealedRow sealedRow(ResultSet rs) throws SQLException {
        return new SealedRow(rs.getLong("id"), rs.getString("workspace"), rs.getString("name"),
                new Sealed(rs.getBytes("ciphertext"), rs.getBytes("wrapped_key"), rs.getString("master_key_id")));
    }

    private static SecretInfo info(ResultSet rs) throws SQLException {
        return new SecretInfo(rs.getString("workspace"), rs.getString("name"), rs.getString("integration"), rs.getInt("version"),
                Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"));
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "PostgresVault[" + keys.get().describe() + "]";
    }
}
