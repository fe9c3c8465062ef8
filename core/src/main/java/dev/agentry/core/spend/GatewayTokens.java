package dev.agentry.core.spend;

import java.time.Instant;
import java.util.Optional;

/**
 * Run-scoped tokens: what an agent presents to the gateway instead of a provider key. Only a hash is stored;
 * the token itself exists in the agent's environment and nowhere else.
 */
public interface GatewayTokens {
    /** A new token for the scope, valid until {@code expiresAt} or until the attempt's tokens are revoked. */
    String mint(CallScope scope, Instant expiresAt);

    /** The scope of a token still valid at {@code now}; empty for an unknown, expired or revoked token. */
    Optional<CallScope> resolve(String token, Instant now);

    /** Ends every token of an attempt: called when the attempt ends, however it ends. */
    void revoke(String idempotencyKey);
}
