package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.GatewayTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** Run-scoped gateway tokens in PostgreSQL: 256 random bits, of which only the SHA-256 is stored. */
public final class PostgresGatewayTokens implements GatewayTokens {
    /** Tokens start so, to be recognisable in a leaked log and by secret scanners. */
    static final String PREFIX = "agt_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;
    private final Sql sql = Sql.load("gateway_token");

    public PostgresGatewayTokens(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public String mint(CallScope scope, Instant expiresAt) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        db.inTransaction(c -> {
            try (var ps = sql.prepare(c, "GatewayTokenInsert", params("token_hash", hash(token), "run_id", scope.runId(),
                    "step_id", scope.stepId(), "idempotency_key", scope.idempotencyKey(), "workspace", scope.workspace(),
                    "account", scope.account(), "provider", scope.provider(), "expires_at", expiresAt, "now", clock.instant()))) {
                return ps.executeUpdate();
            }
        });
        return token;
    }

    @Override
    public Optional<CallScope> resolve(String token, Instant now) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        return db.read(c -> sql.list(c, "GatewayTokenResolve", params("token_hash", hash(token), "now", now),
                rs -> new CallScope(rs.getLong("run_id"), rs.getString("step_id"), rs.getString("idempotency_key"),
                        rs.getString("workspace"), rs.getString("account"), rs.getString("provider")))).stream().findFirst();
    }

    @Override
    public void revoke(String idempotencyKey) {
        db.inTransaction(c -> {
            try (var ps = sql.prepare(c, "GatewayTokenRevoke", params("idempotency_key", idempotencyKey))) {
                return ps.executeUpdate();
            }
        });
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
