-- wave (id, workspace, max_parallel, status, lease_owner, lease_until, created_at, finished_at)
-- DDL: db/migration/V12__blocks_and_waves.sql

-- name: WaveInsert
INSERT INTO wave (workspace, max_parallel, status, created_at)
VALUES (:workspace, :max_parallel, 'running', :now)
RETURNING id, workspace, max_parallel, status, created_at, finished_at

-- name: WaveGet
SELECT id, workspace, max_parallel, status, created_at, finished_at
FROM wave
WHERE workspace = :workspace AND id = :id

-- name: WaveListRecent
SELECT id, workspace, max_parallel, status, created_at, finished_at
FROM wave
WHERE workspace = :workspace
ORDER BY id DESC
LIMIT :limit

-- name: WaveClaim
UPDATE wave SET lease_owner = :node, lease_until = :until
WHERE id IN (SELECT id FROM wave
             WHERE status = 'running' AND (lease_owner IS NULL OR lease_owner = :node OR lease_until < :now)
             ORDER BY id
             FOR UPDATE SKIP LOCKED)
RETURNING id, workspace, max_parallel, status, created_at, finished_at

-- name: WaveRelease
UPDATE wave SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :node

-- name: WaveFinish
UPDATE wave SET status = :status, finished_at = :now, lease_owner = NULL, lease_until = NULL
WHERE id = :id AND status = 'running'
