-- step_attempt (run_id, step_id, attempt, status, node, key_generation, started_at, finished_at,
--               error, exit_code, log)
-- DDL: db/migration/V2__runs.sql. Rows are inserted by StepClaimReady (step.sql) and finished by
-- RunWriteChanges (run.sql).

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
