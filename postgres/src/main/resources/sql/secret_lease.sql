-- secret_lease (id, token_hash, secret_id, workspace, run_id, step_id, expires_at, exchanged_at, created_at)
-- DDL: db/migration/V7__secrets_vault.sql

-- name: SecretLeaseInsert
INSERT INTO secret_lease (token_hash, secret_id, workspace, run_id, step_id, expires_at, created_at)
VALUES (:token_hash, :secret_id, :workspace, :run_id, :step_id, :expires_at, :now)
RETURNING id

-- name: SecretLeaseExchange
-- One guarded statement, so that of two exchanges of one token only one changes the row (the other waits for
-- its lock, then finds exchanged_at set). It hands back the sealed secret in the same breath.
UPDATE secret_lease l
SET exchanged_at = :now
FROM secret s
WHERE l.token_hash = :token_hash AND l.exchanged_at IS NULL AND l.expires_at > :now AND s.id = l.secret_id
RETURNING s.id, s.workspace, s.name, s.ciphertext, s.wrapped_key, s.master_key_id, l.run_id, l.step_id

-- name: SecretLeaseGet
-- Why an exchange changed nothing.
SELECT exchanged_at, expires_at
FROM secret_lease
WHERE token_hash = :token_hash

-- name: SecretLeasePrune
DELETE FROM secret_lease WHERE expires_at < :before
