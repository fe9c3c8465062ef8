-- pipeline (workspace, name, latest_version, created_at, updated_at)
-- pipeline_version (id, workspace, name, version, source, digest, created_at)
-- DDL: db/migration/V1__workspaces_and_pipelines.sql

-- name: PipelineLockOrCreate
INSERT INTO pipeline (workspace, name, latest_version, created_at, updated_at)
VALUES (:workspace, :name, 0, :now, :now)
ON CONFLICT (workspace, name) DO UPDATE SET updated_at = pipeline.updated_at
RETURNING latest_version

-- name: PipelineSetLatest
UPDATE pipeline SET latest_version = :version, updated_at = :now
WHERE workspace = :workspace AND name = :name

-- name: PipelineVersionInsert
INSERT INTO pipeline_version (workspace, name, version, source, digest, created_at)
VALUES (:workspace, :name, :version, :source, :digest, :now)
RETURNING id, workspace, name, version, source, digest, created_at

-- name: PipelineVersionGetLatest
SELECT v.id, v.workspace, v.name, v.version, v.source, v.digest, v.created_at
FROM pipeline p
JOIN pipeline_version v ON v.workspace = p.workspace AND v.name = p.name AND v.version = p.latest_version
WHERE p.workspace = :workspace AND p.name = :name

-- name: PipelineVersionGet
SELECT id, workspace, name, version, source, digest, created_at
FROM pipeline_version
WHERE workspace = :workspace AND name = :name AND version = :version

-- name: PipelineVersionGetById
SELECT id, workspace, name, version, source, digest, created_at
FROM pipeline_version
WHERE id = :id

-- name: PipelineVersionListLatest
SELECT v.id, v.workspace, v.name, v.version, v.source, v.digest, v.created_at
FROM pipeline p
JOIN pipeline_version v ON v.workspace = p.workspace AND v.name = p.name AND v.version = p.latest_version
WHERE p.workspace = :workspace
ORDER BY p.name

-- name: PipelineVersionListAll
SELECT id, workspace, name, version, source, digest, created_at
FROM pipeline_version
WHERE workspace = :workspace AND name = :name
ORDER BY version DESC
