-- step (run_id, step_id, kind, status, attempts, failures, lost, key_generation, ready_at, due_at,
--       started_at, finished_at, lease_owner, lease_expires_at, outputs, error, decision_id)
-- DDL: db/migration/V2__runs.sql

-- name: StepClaimReady
-- Claims due ready steps in one statement: marks them running under a lease, bumps the attempt, and
-- records their step.started events. SKIP LOCKED lets nodes claim side by side. (The attempt's own row
-- is written once, when it ends; while it runs, the step row is its record.)
WITH picked AS (
    SELECT run_id, step_id
    FROM step
    WHERE status = 'ready' AND due_at <= :now
    ORDER BY due_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE step s
    SET status = 'running', attempts = s.attempts + 1, lease_owner = :owner, lease_expires_at = :lease_until,
        started_at = :now
    FROM picked p
    WHERE s.run_id = p.run_id AND s.step_id = p.step_id
    RETURNING s.run_id, s.step_id, s.attempts, s.key_generation
), described AS (
    -- LATERAL keeps this a primary-key lookup per claimed row; a plain join may be planned as a hash join
    -- over the whole run table when statistics lag behind a burst of new runs.
    SELECT c.*, r.workspace, r.version_id
    FROM claimed c CROSS JOIN LATERAL (SELECT workspace, version_id FROM run WHERE run.id = c.run_id) r
), event_rows AS (
    INSERT INTO event (workspace, ts, type, run_id, step_id, attempt, data)
    SELECT workspace, :now, 'step.started', run_id, step_id, attempts, jsonb_build_object('node', :owner::text)
    FROM described
)
SELECT run_id, step_id, attempts, key_generation, version_id FROM described

-- name: StepRenewLeases
-- Rows being changed by another transaction right now are skipped, not waited for: they are being
-- completed or canceled, and the next renewal (or the lease check) sorts them out.
WITH held AS (
    SELECT s.run_id, s.step_id
    FROM step s
    JOIN unnest(:run_ids::bigint[], :step_ids::text[], :attempts::int[]) AS h(run_id, step_id, attempt)
      ON s.run_id = h.run_id AND s.step_id = h.step_id AND s.attempts = h.attempt
    WHERE s.status = 'running' AND s.lease_owner = :owner
    FOR UPDATE OF s SKIP LOCKED
)
UPDATE step s SET lease_expires_at = :lease_until
FROM held
WHERE s.run_id = held.run_id AND s.step_id = held.step_id
RETURNING s.run_id, s.step_id, s.attempts

-- name: StepGetHeld
-- Which of these attempts are still running under this owner (plain read, for rows renewal skipped).
SELECT s.run_id, s.step_id, s.attempts
FROM step s
JOIN unnest(:run_ids::bigint[], :step_ids::text[], :attempts::int[]) AS h(run_id, step_id, attempt)
  ON s.run_id = h.run_id AND s.step_id = h.step_id AND s.attempts = h.attempt
WHERE s.status = 'running' AND s.lease_owner = :owner

-- name: StepListExpiredLeases
SELECT run_id, step_id, attempts, lease_owner
FROM step
WHERE status = 'running' AND lease_expires_at < :now
ORDER BY lease_expires_at
LIMIT :limit

-- name: StepListDueTimers
SELECT run_id, step_id
FROM step
WHERE status = 'waiting' AND due_at <= :now
ORDER BY due_at
LIMIT :limit

-- name: StepGetNextDue
SELECT min(due_at) FROM (
    (SELECT due_at FROM step WHERE status = 'ready' ORDER BY due_at LIMIT 1)
    UNION ALL
    (SELECT due_at FROM step WHERE status = 'waiting' AND due_at IS NOT NULL ORDER BY due_at LIMIT 1)
) next

-- name: StepListForRun
SELECT step_id, kind, status, attempts, ready_at, due_at, started_at, finished_at, outputs, error, decision_id
FROM step
WHERE run_id = :run_id
ORDER BY position

-- name: StepListOutputsForRun
SELECT r.inputs, r.pipeline, s.step_id, s.outputs
FROM run r LEFT JOIN step s ON s.run_id = r.id AND s.status = 'succeeded'
WHERE r.id = :run_id
