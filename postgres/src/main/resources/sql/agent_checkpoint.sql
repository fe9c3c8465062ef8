-- agent_checkpoint (idempotency_key, turn, run_id, step_id, messages, patch, created_at)
-- DDL: db/migration/V5__agents_spend_and_budgets.sql

-- name: AgentCheckpointList
SELECT turn, messages, patch FROM agent_checkpoint WHERE idempotency_key = :idempotency_key ORDER BY turn

-- name: AgentCheckpointSave
-- A turn saved again (an attempt that resumed and redid it) replaces what it saved before.
INSERT INTO agent_checkpoint (idempotency_key, turn, run_id, step_id, messages, patch, created_at)
VALUES (:idempotency_key, :turn, :run_id, :step_id, :messages, :patch, :now)
ON CONFLICT (idempotency_key, turn) DO UPDATE SET messages = EXCLUDED.messages, patch = EXCLUDED.patch,
    created_at = EXCLUDED.created_at

-- name: AgentCheckpointTrim
DELETE FROM agent_checkpoint WHERE idempotency_key = :idempotency_key AND turn > :turn
