-- block (id, workspace, kind, parent, name, description, repository, pipeline, created_at, updated_at)
-- DDL: db/migration/V12__blocks_and_waves.sql

-- name: BlockLockWorkspace
SELECT pg_advisory_xact_lock(hashtext('agentry-board'), hashtext(:workspace))

-- name: BlockInsert
INSERT INTO block (workspace, kind, parent, name, description, repository, pipeline, created_at, updated_at)
VALUES (:workspace, :kind, :parent, :name, :description, :repository, :pipeline, :now, :now)
RETURNING id

-- name: BlockGet
SELECT b.id, b.workspace, b.kind, b.parent, b.name, b.description, b.repository, b.pipeline, b.created_at,
       coalesce((SELECT array_agg(e.to_block ORDER BY e.to_block) FROM block_edge e WHERE e.from_block = b.id), '{}') AS depends_on
FROM block b
WHERE b.workspace = :workspace AND b.id = :id

-- name: BlockList
SELECT b.id, b.workspace, b.kind, b.parent, b.name, b.description, b.repository, b.pipeline, b.created_at,
       coalesce((SELECT array_agg(e.to_block ORDER BY e.to_block) FROM block_edge e WHERE e.from_block = b.id), '{}') AS depends_on
FROM block b
WHERE b.workspace = :workspace
ORDER BY b.id

-- name: BlockUpdate
UPDATE block
SET parent = :parent, name = :name, description = :description, repository = :repository, pipeline = :pipeline,
    updated_at = :now
WHERE workspace = :workspace AND id = :id

-- name: BlockDelete
DELETE FROM block WHERE workspace = :workspace AND id = :id
