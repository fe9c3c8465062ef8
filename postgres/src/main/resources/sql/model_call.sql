-- model_call (id, run_id, step_id, idempotency_key, workspace, account, provider, api, model, input_tokens,
--             output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, priced, latency_ms, status,
--             prompt_parent, parent_items, prompt_items, prompt_hash, reply, month, created_at)
-- model_call_item (call_id, position, body)
-- DDL: db/migration/V5__agents_spend_and_budgets.sql

-- name: ModelCallFindParent
-- The run's call whose whole prompt is the longest prefix of the new one: its chained hash is one of the new
-- prompt's prefix hashes.
SELECT id, prompt_items
FROM model_call
WHERE run_id = :run_id AND prompt_hash = ANY(:hashes::text[])
ORDER BY prompt_items DESC
LIMIT 1

-- name: ModelCallInsert
INSERT INTO model_call (run_id, step_id, idempotency_key, workspace, account, provider, api, model, input_tokens,
                        output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, priced, latency_ms, status,
                        prompt_parent, parent_items, prompt_items, prompt_hash, reply, month, created_at)
VALUES (:run_id, :step_id, :idempotency_key, :workspace, :account, :provider, :api, :model, :input_tokens,
        :output_tokens, :cache_read_tokens, :cache_write_tokens, :cost_usd, :priced, :latency_ms, :status,
        :prompt_parent, :parent_items, :prompt_items, :prompt_hash, :reply, :month, :now)
RETURNING id

-- name: ModelCallItemInsert
INSERT INTO model_call_item (call_id, position, body)
SELECT :call_id, p, b FROM unnest(:positions::int[], :bodies::text[]) AS x (p, b)

-- name: ModelCallPrompt
-- Rebuilds a call's whole prompt: its own items and those of its chain of parents, in order.
WITH RECURSIVE chain AS (
    SELECT id, prompt_parent FROM model_call WHERE id = :id AND run_id = :run_id
    UNION ALL
    SELECT m.id, m.prompt_parent FROM model_call m JOIN chain c ON m.id = c.prompt_parent
)
SELECT i.position, i.body
FROM model_call_item i
WHERE i.call_id IN (SELECT id FROM chain)
ORDER BY i.position

-- name: ModelCallListByRun
SELECT id, step_id, provider, api, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
       cost_usd, priced, latency_ms, status, parent_items, prompt_items, created_at
FROM model_call
WHERE run_id = :run_id
ORDER BY id
LIMIT :limit

-- name: ModelCallStoredItems
-- How many prompt items the run's calls stored in all (the delta's size, for tests and views).
SELECT count(*) AS items, coalesce(sum(length(i.body)), 0) AS chars
FROM model_call_item i JOIN model_call m ON m.id = i.call_id
WHERE m.run_id = :run_id

-- name: ModelCallStepHistory
-- What similar steps cost before: the total per attempt of the workspace's steps with this id and model,
-- newest first, for estimates.
SELECT idempotency_key, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
       sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
       sum(cost_usd) AS cost_usd
FROM model_call
WHERE workspace = :workspace AND step_id = :step_id AND model = :model
GROUP BY idempotency_key
ORDER BY max(id) DESC
LIMIT :limit
