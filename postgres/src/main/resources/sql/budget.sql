-- budget (scope_kind, scope_id, limit_usd, override_until, warned_period, updated_at)
-- DDL: db/migration/V5__agents_spend_and_budgets.sql

-- name: BudgetStandings
-- The capped budgets that cover a call of a run in a workspace and account, with what is spent under each in
-- its period (the month for accounts and workspaces, all time for the run).
SELECT b.scope_kind, b.scope_id, b.limit_usd, b.override_until, b.warned_period,
       coalesce(t.cost_usd, 0) AS spent
FROM budget b
LEFT JOIN spend_total t ON t.scope_kind = b.scope_kind AND t.scope_id = b.scope_id
     AND t.period = CASE WHEN b.scope_kind = 'run' THEN 'all' ELSE :month END
WHERE b.limit_usd IS NOT NULL
  AND ((b.scope_kind = 'account' AND b.scope_id = :account)
    OR (b.scope_kind = 'workspace' AND b.scope_id = :workspace)
    OR (b.scope_kind = 'run' AND b.scope_id = :run_id))

-- name: BudgetGet
SELECT scope_kind, scope_id, limit_usd, override_until, warned_period FROM budget
WHERE scope_kind = :scope_kind AND scope_id = :scope_id

-- name: BudgetSave
-- A changed cap may warn again once it is crossed anew.
INSERT INTO budget (scope_kind, scope_id, limit_usd, override_until, warned_period, updated_at)
VALUES (:scope_kind, :scope_id, :limit_usd, :override_until, NULL, :now)
ON CONFLICT (scope_kind, scope_id) DO UPDATE
SET limit_usd = EXCLUDED.limit_usd, override_until = EXCLUDED.override_until, updated_at = EXCLUDED.updated_at,
    warned_period = CASE WHEN budget.limit_usd IS DISTINCT FROM EXCLUDED.limit_usd THEN NULL ELSE budget.warned_period END

-- name: BudgetMarkWarned
UPDATE budget SET warned_period = :period
WHERE scope_kind = :scope_kind AND scope_id = :scope_id AND warned_period IS DISTINCT FROM :period

-- name: BudgetRunningRuns
SELECT r.id
FROM run r JOIN workspace w ON w.name = r.workspace
WHERE r.status = 'running'
  AND ((:scope_kind = 'account' AND w.account = :scope_id)
    OR (:scope_kind = 'workspace' AND r.workspace = :scope_id)
    OR (:scope_kind = 'run' AND r.id::text = :scope_id))

-- name: BudgetPausedRuns
SELECT r.id, r.workspace, w.account
FROM run r JOIN workspace w ON w.name = r.workspace
WHERE r.status = 'paused'
ORDER BY r.id
