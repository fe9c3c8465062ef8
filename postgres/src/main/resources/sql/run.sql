-- run (id, workspace, pipeline, version_id, status, inputs, idempotency_key, rerun_of, error,
--      created_at, started_at, finished_at)
-- DDL: db/migration/V2__runs.sql

-- name: RunInsert
-- A repeated idempotency key inserts nothing and returns no row; the caller then reads the existing run.
INSERT INTO run (workspace, pipeline, version_id, status, inputs, idempotency_key, rerun_of, created_at)
VALUES (:workspace, :pipeline, :version_id, 'queued', :inputs::jsonb, :idempotency_key, :rerun_of, :now)
ON CONFLICT (workspace, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id

-- name: RunGetIdByIdempotencyKey
SELECT id FROM run WHERE workspace = :workspace AND idempotency_key = :idempotency_key

-- name: RunSetStateMany
UPDATE run r
SET status = u.status, started_at = u.started_at::timestamptz, finished_at = u.finished_at::timestamptz, error = u.error
FROM unnest(:ids::bigint[], :statuses::text[], :started::text[], :finished::text[], :errors::text[])
     AS u(id, status, started_at, finished_at, error)
WHERE r.id = u.id

-- name: RunCountActive
SELECT count(*) FROM run
WHERE workspace = :workspace AND pipeline = :pipeline AND status IN ('running', 'needs-you')

-- name: RunLockAdmission
-- Serialises admission decisions for one pipeline's concurrency limit, across nodes, until commit.
SELECT pg_advisory_xact_lock(hashtextextended(:workspace || '/' || :pipeline, 0))

-- name: RunListQueued
SELECT id FROM run
WHERE workspace = :workspace AND pipeline = :pipeline AND status = 'queued'
ORDER BY id
LIMIT :limit

-- name: RunList
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.workspace = :workspace
  AND (:pipeline::text IS NULL OR r.pipeline = :pipeline)
  AND (:status::text IS NULL OR r.status = :status)
  AND (:before::bigint IS NULL OR r.id < :before)
ORDER BY r.id DESC
LIMIT :limit

-- name: RunGet
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.workspace = :workspace AND r.id = :id
