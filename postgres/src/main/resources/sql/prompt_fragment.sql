-- prompt_fragment (scope, owner, name, version, text, created_at)
-- run_fragment (run_id, name, scope, owner, version)
-- DDL: db/migration/V6__prompt_fragments.sql

-- name: PromptFragmentLatest
SELECT scope, owner, name, version, text, created_at FROM prompt_fragment
WHERE scope = :scope AND owner = :owner AND name = :name
ORDER BY version DESC LIMIT 1

-- name: PromptFragmentGet
SELECT scope, owner, name, version, text, created_at FROM prompt_fragment
WHERE scope = :scope AND owner = :owner AND name = :name AND version = :version

-- name: PromptFragmentInsert
-- The next version; two writers of one name serialise on the primary key (the loser retries).
INSERT INTO prompt_fragment (scope, owner, name, version, text, created_at)
SELECT :scope, :owner, :name, coalesce(max(version), 0) + 1, :text, :now
FROM prompt_fragment WHERE scope = :scope AND owner = :owner AND name = :name
RETURNING scope, owner, name, version, text, created_at

-- name: PromptFragmentVisible
-- The latest version of every fragment of the workspace and of its account.
SELECT DISTINCT ON (scope, name) scope, owner, name, version, text, created_at
FROM prompt_fragment
WHERE (scope = 'workspace' AND owner = :workspace) OR (scope = 'account' AND owner = :account)
ORDER BY scope, name, version DESC

-- name: RunFragmentList
SELECT f.scope, f.owner, f.name, f.version, f.text, f.created_at
FROM run_fragment r JOIN prompt_fragment f
  ON f.scope = r.scope AND f.owner = r.owner AND f.name = r.name AND f.version = r.version
WHERE r.run_id = :run_id

-- name: RunFragmentPins
SELECT name, scope, owner, version FROM run_fragment WHERE run_id = :run_id

-- name: RunFragmentPin
INSERT INTO run_fragment (run_id, name, scope, owner, version)
VALUES (:run_id, :name, :scope, :owner, :version)
ON CONFLICT (run_id, name) DO NOTHING
