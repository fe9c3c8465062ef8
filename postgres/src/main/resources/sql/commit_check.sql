-- commit_check (workspace, repository, commit_sha, name, state, url, updated_at)
-- DDL: db/migration/V4__repositories_pools_and_pull_requests.sql
-- The checks an outside CI reports on commits of a local-forge repository; the last report of a name wins.

-- name: CommitCheckUpsert
INSERT INTO commit_check (workspace, repository, commit_sha, name, state, url, updated_at)
VALUES (:workspace, :repository, :commit_sha, :name, :state, :url, :now)
ON CONFLICT (workspace, repository, commit_sha, name)
DO UPDATE SET state = EXCLUDED.state, url = EXCLUDED.url, updated_at = EXCLUDED.updated_at

-- name: CommitCheckList
SELECT name, state, url
FROM commit_check
WHERE workspace = :workspace AND repository = :repository AND commit_sha = :commit_sha
ORDER BY name
