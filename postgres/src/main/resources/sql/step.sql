-- step (run_id, step_id, kind, status, attempts, failures, lost, key_generation, ready_at, due_at,
--       started_at, finished_at, lease_owner, lease_expires_at, outputs, error, decision_id,
--       heartbeat_at, stalled, pool, pool_labels, memo)
-- DDL: db/migration/V2__runs.sql, V3__event_log_and_attention.sql, V4__repositories_pools_and_pull_requests.sql

-- name: StepClaimReady
-- Claims due ready steps in one statement: marks them running under a lease, bumps the attempt, and
-- records their step.started events. SKIP LOCKED lets nodes claim side by side. (The attempt's own row
-- is written once, when it ends; while it runs, the step row is its record.) Claims for one pool: the steps
-- placed on it by name, or by labels it carries all of; the default pool also takes steps placed nowhere.
WITH picked AS (
    SELECT run_id, step_id
    FROM step
    WHERE status = 'ready' AND due_at <= :now
      AND (pool = :pool OR (pool IS NULL AND pool_labels <@ :labels::text[]
                            AND (:is_default OR cardinality(pool_labels) > 0)))
    ORDER BY due_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE step s
    SET status = 'running', attempts = s.attempts + 1, lease_owner = :owner, lease_expires_at = :lease_until,
        started_at = :now, heartbeat_at = :now, stalled = false
    FROM picked p
    WHERE s.run_id = p.run_id AND s.step_id = p.step_id
    RETURNING s.run_id, s.step_id, s.attempts, s.key_generation, s.memo
), described AS (
    -- LATERAL keeps this a primary-key lookup per claimed row; a plain join may be planned as a hash join
    -- over the whole run table when statistics lag behind a burst of new runs.
    SELECT c.*, r.workspace, r.version_id, r.repository, r.branch
    FROM claimed c CROSS JOIN LATERAL (SELECT workspace, version_id, repository, branch FROM run WHERE run.id = c.run_id) r
), counted AS (
    SELECT count(*)::int AS k FROM described
), events_batch AS (
    -- The claim's step.started events, as this transaction's batch in the event log (see RunWriteChanges).
    INSERT INTO event_batch (tx, size, ts)
    SELECT pg_current_xact_id(), k, :now FROM counted WHERE k > 0
    ON CONFLICT (tx) DO UPDATE SET size = event_batch.size + EXCLUDED.size
    RETURNING tx, size - (SELECT k FROM counted) AS first_n
), event_rows AS (
    INSERT INTO event (tx, n, workspace, ts, type, run_id, step_id, attempt, data)
    SELECT b.tx, b.first_n + row_number() OVER (ORDER BY d.run_id, d.step_id) - 1, d.workspace, :now, 'step.started',
           d.run_id, d.step_id, d.attempts, jsonb_build_object('node', :owner::text)
    FROM events_batch b CROSS JOIN described d
)
SELECT run_id, step_id, attempts, key_generation, version_id, workspace, memo, repository, branch FROM described

-- name: StepRenewLeases
-- Also the executor's heartbeat: active_at is each attempt's last sign of life (output, progress).
-- Rows being changed by another transaction right now are skipped, not waited for: they are being
-- completed or canceled, and the next renewal (or the lease check) sorts them out.
WITH held AS (
    SELECT s.run_id, s.step_id, h.active_at
    FROM step s
    JOIN unnest(:run_ids::bigint[], :step_ids::text[], :attempts::int[], :active_at::text[])
         AS h(run_id, step_id, attempt, active_at)
      ON s.run_id = h.run_id AND s.step_id = h.step_id AND s.attempts = h.attempt
    WHERE s.status = 'running' AND s.lease_owner = :owner
    FOR UPDATE OF s SKIP LOCKED
)
UPDATE step s
SET lease_expires_at = :lease_until, heartbeat_at = GREATEST(s.heartbeat_at, held.active_at::timestamptz)
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

-- name: StepMarkStalled
-- Running attempts whose executor has not reported a sign of life for a while. Only steps not
-- already marked change, so concurrent watchers raise each stall once.
UPDATE step s
SET stalled = true
FROM run r
WHERE s.status = 'running' AND NOT s.stalled AND s.heartbeat_at < :silent_before AND r.id = s.run_id
RETURNING s.run_id, s.step_id, s.attempts, s.heartbeat_at, s.lease_owner, r.workspace

-- name: StepMarkAlive
-- Stalled attempts that have reported a sign of life again.
UPDATE step s
SET stalled = false
FROM run r
WHERE s.status = 'running' AND s.stalled AND s.heartbeat_at >= :silent_before AND r.id = s.run_id
RETURNING s.run_id, s.step_id, s.attempts, s.heartbeat_at, s.lease_owner, r.workspace

-- name: StepListForRuns
SELECT run_id, step_id, kind, status, attempts, ready_at, due_at, started_at, finished_at, outputs, error, decision_id
FROM step
WHERE run_id = ANY (:run_ids::bigint[])
ORDER BY run_id, position
