-- policy_version (workspace, version, source, digest, created_at)
-- DDL: db/migration/V9__policies.sql
-- Every lookup is by the primary key (workspace, version), the latest being its last entry for the workspace.

-- name: PolicyVersionLock
-- Applies in one workspace take turns on its row, so each reads the latest version and adds the next one alone.
SELECT name FROM workspace WHERE name = :workspace FOR NO KEY UPDATE

-- name: PolicyVersionInsert
INSERT INTO policy_version (workspace, version, source, digest, created_at)
VALUES (:workspace, :version, :source, :digest, :now)
RETURNING workspace, version, source, digest, created_at

-- name: PolicyVersionGetLatest
SELECT workspace, version, source, digest, created_at
FROM policy_version
WHERE workspace = :workspace
ORDER BY version DESC
LIMIT 1

-- name: PolicyVersionGetLatestNumber
SELECT coalesce(max(version), 0) AS version
FROM policy_version
WHERE workspace = :workspace

-- name: PolicyVersionGet
SELECT workspace, version, source, digest, created_at
FROM policy_version
WHERE workspace = :workspace AND version = :version

-- name: PolicyVersionList
SELECT workspace, version, source, digest, created_at
FROM policy_version
WHERE workspace = :workspace
ORDER BY version DESC
