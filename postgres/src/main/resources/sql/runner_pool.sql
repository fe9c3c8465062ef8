-- runner_pool (name, kind, slots, labels, manifest, created_at)
-- DDL: db/migration/V4__repositories_pools_and_pull_requests.sql

-- name: RunnerPoolUpsert
INSERT INTO runner_pool (name, kind, slots, labels, manifest, created_at)
VALUES (:name, :kind, :slots, :labels::text[], :manifest::jsonb, :now)
ON CONFLICT (name) DO UPDATE
SET kind = EXCLUDED.kind, slots = EXCLUDED.slots, labels = EXCLUDED.labels, manifest = EXCLUDED.manifest
RETURNING name, kind, slots, labels, manifest, created_at

-- name: RunnerPoolGet
SELECT name, kind, slots, labels, manifest, created_at FROM runner_pool WHERE name = :name

-- name: RunnerPoolList
SELECT name, kind, slots, labels, manifest, created_at FROM runner_pool ORDER BY name

-- name: RunnerPoolDelete
DELETE FROM runner_pool WHERE name = :name
