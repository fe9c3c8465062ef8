package dev.agentry.agents.gateway;

import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.GatewayTokens;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Gateway tokens in memory, with their expiry and revocation honoured as the port describes. */
public final class FakeGatewayTokens implements GatewayTokens {
    private record Minted(CallScope scope, Instant expiresAt) {}

    private final Map<String, Minted> minted = new ConcurrentHashMap<>();

    @Override
    public String mint(CallScope scope, Instant expiresAt) {
        String token = "agt_" + UUID.randomUUID();
        minted.put(token, new Minted(scope, expiresAt));
        return token;
    }

    @Override
    public Optional<CallScope> resolve(String token, Instant now) {
        Minted m = minted.get(token);
        return m == null || !now.isBefore(m.expiresAt()) ? Optional.empty() : Optional.of(m.scope());
    }

    @Override
    public void revoke(String idempotencyKey) {
        minted.values().removeIf(m -> m.scope().idempotencyKey().equals(idempotencyKey));
    }
}
