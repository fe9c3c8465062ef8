-- step_attempt (run_id, step_id, attempt, status, node, key_generation, started_at, finished_at,
--               error, exit_code, log)
-- DDL: db/migration/V2__runs.sql. Rows are inserted by StepClaimReady (step.sql).

-- name: StepAttemptFinishMany
-- Only attempts still running are finished: an attempt is ended once.
UPDATE step_attempt a
SET status = u.status, finished_at = u.finished_at::timestamptz, error = u.error, exit_code = u.exit_code,
    log = u.log
FROM unnest(:run_ids::bigint[], :step_ids::text[], :attempts::int[], :statuses::text[], :finished_at::text[],
            :errors::text[], :exit_codes::int[], :logs::text[])
     AS u(run_id, step_id, attempt, status, finished_at, error, exit_code, log)
WHERE a.run_id = u.run_id AND a.step_id = u.step_id AND a.attempt = u.attempt AND a.status = 'running'

-- name: StepAttemptList
SELECT a.attempt, a.status, a.node, a.key_generation, a.started_at, a.finished_at, a.error, a.exit_code
FROM step_attempt a JOIN run r ON r.id = a.run_id
WHERE r.workspace = :workspace AND a.run_id = :run_id AND a.step_id = :step_id
ORDER BY a.attempt

-- name: StepAttemptListLogs
SELECT a.step_id, a.attempt, a.status, coalesce(a.log, '') AS log
FROM step_attempt a JOIN run r ON r.id = a.run_id
WHERE r.workspace = :workspace AND a.run_id = :run_id AND (:step_id::text IS NULL OR a.step_id = :step_id)
ORDER BY a.started_at, a.step_id, a.attempt
