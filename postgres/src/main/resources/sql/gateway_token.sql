-- gateway_token (token_hash, run_id, step_id, idempotency_key, workspace, account, provider, expires_at, revoked, created_at)
-- DDL: db/migration/V5__agents_spend_and_budgets.sql

-- name: GatewayTokenInsert
INSERT INTO gateway_token (token_hash, run_id, step_id, idempotency_key, workspace, account, provider, expires_at, created_at)
SELECT :token_hash, :run_id, :step_id, :idempotency_key, :workspace,
       coalesce(:account, (SELECT account FROM workspace WHERE name = :workspace), 'default'), :provider, :expires_at, :now

-- name: GatewayTokenResolve
SELECT run_id, step_id, idempotency_key, workspace, account, provider
FROM gateway_token
WHERE token_hash = :token_hash AND NOT revoked AND expires_at > :now

-- name: GatewayTokenRevoke
UPDATE gateway_token SET revoked = true WHERE idempotency_key = :idempotency_key AND NOT revoked

-- name: GatewayTokenPrune
DELETE FROM gateway_token WHERE expires_at < :before
