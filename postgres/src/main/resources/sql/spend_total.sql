-- spend_total (scope_kind, scope_id, period, cost_usd, calls)
-- DDL: db/migration/V5__agents_spend_and_budgets.sql

-- name: SpendTotalAdd
INSERT INTO spend_total (scope_kind, scope_id, period, cost_usd, calls)
SELECT k, i, p, :cost_usd, 1 FROM unnest(:kinds::text[], :ids::text[], :periods::text[]) AS x (k, i, p)
ON CONFLICT (scope_kind, scope_id, period) DO UPDATE
SET cost_usd = spend_total.cost_usd + EXCLUDED.cost_usd, calls = spend_total.calls + 1

-- name: SpendTotalGet
SELECT cost_usd, calls FROM spend_total WHERE scope_kind = :scope_kind AND scope_id = :scope_id AND period = :period
