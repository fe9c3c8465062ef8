-- repository (workspace, name, url, base_branch, forge, credential_ref, created_at)
-- DDL: db/migration/V4__repositories_pools_and_pull_requests.sql

-- name: RepositoryUpsert
INSERT INTO repository (workspace, name, url, base_branch, forge, credential_ref, created_at)
VALUES (:workspace, :name, :url, :base_branch, :forge, :credential_ref, :now)
ON CONFLICT (workspace, name) DO UPDATE
SET url = EXCLUDED.url, base_branch = EXCLUDED.base_branch, forge = EXCLUDED.forge,
    credential_ref = EXCLUDED.credential_ref
RETURNING workspace, name, url, base_branch, forge, credential_ref, created_at

-- name: RepositoryGet
SELECT workspace, name, url, base_branch, forge, credential_ref, created_at
FROM repository
WHERE workspace = :workspace AND name = :name

-- name: RepositoryList
SELECT workspace, name, url, base_branch, forge, credential_ref, created_at
FROM repository
WHERE workspace = :workspace
ORDER BY name

-- name: RepositoryDelete
DELETE FROM repository WHERE workspace = :workspace AND name = :name
