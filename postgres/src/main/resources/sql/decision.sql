-- decision (id, workspace, run_id, step_id, status, prompt, deadline_at, comment, answered_by,
--           created_at, answered_at)
-- DDL: db/migration/V2__runs.sql

-- name: DecisionNextId
SELECT nextval('decision_id_seq')

-- name: DecisionInsert
INSERT INTO decision (id, workspace, run_id, step_id, status, prompt, deadline_at, created_at)
VALUES (:id, :workspace, :run_id, :step_id, 'pending', :prompt, :deadline_at, :now)

-- name: DecisionSettle
UPDATE decision
SET status = :status, comment = :comment, answered_by = :answered_by, answered_at = :now
WHERE id = :id AND status = 'pending'

-- name: DecisionList
SELECT d.id, d.workspace, d.run_id, r.pipeline, d.step_id, d.status, d.prompt, d.deadline_at, d.comment,
       d.answered_by, d.created_at, d.answered_at
FROM decision d JOIN run r ON r.id = d.run_id
WHERE d.workspace = :workspace AND (:status::text IS NULL OR d.status = :status)
ORDER BY d.id DESC
LIMIT :limit

-- name: DecisionGet
SELECT d.id, d.workspace, d.run_id, r.pipeline, d.step_id, d.status, d.prompt, d.deadline_at, d.comment,
       d.answered_by, d.created_at, d.answered_at
FROM decision d JOIN run r ON r.id = d.run_id
WHERE d.workspace = :workspace AND d.id = :id

-- name: DecisionListPending
SELECT d.id, d.workspace, d.run_id, r.pipeline, d.step_id, d.status, d.prompt, d.deadline_at, d.comment,
       d.answered_by, d.created_at, d.answered_at
FROM decision d JOIN run r ON r.id = d.run_id
WHERE d.status = 'pending'
  AND (:workspace::text IS NULL OR d.workspace = :workspace)
  AND (:run_id::bigint IS NULL OR d.run_id = :run_id)
ORDER BY d.id
LIMIT :limit
