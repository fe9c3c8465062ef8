-- step_attempt (run_id, step_id, attempt, status, node, key_generation, started_at, finished_at,
--               error, exit_code, log)
-- DDL: db/migration/V2__runs.sql. A row is written once, when its attempt ends (RunWriteChanges in
-- run.sql); the attempt in progress is read from its step row.

-- name: StepAttemptList
SELECT a.attempt, a.status, a.node, a.key_generation, a.started_at, a.finished_at, a.error, a.exit_code
FROM step_attempt a JOIN run r ON r.id = a.run_id
WHERE r.workspace = :workspace AND a.run_id = :run_id AND a.step_id = :step_id
UNION ALL
SELECT s.attempts, 'running', s.lease_owner, s.key_generation, s.started_at, NULL, NULL, NULL
FROM step s JOIN run r ON r.id = s.run_id
WHERE r.workspace = :workspace AND s.run_id = :run_id AND s.step_id = :step_id AND s.status = 'running'
ORDER BY 1

-- name: StepAttemptListLogs
SELECT a.step_id, a.attempt, a.status, coalesce(a.log, '') AS log
FROM step_attempt a JOIN run r ON r.id = a.run_id
WHERE r.workspace = :workspace AND a.run_id = :run_id AND (:step_id::text IS NULL OR a.step_id = :step_id)
ORDER BY a.started_at, a.step_id, a.attempt
