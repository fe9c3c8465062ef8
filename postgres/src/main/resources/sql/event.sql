-- event (id, workspace, ts, type, run_id, step_id, attempt, data)
-- DDL: db/migration/V2__runs.sql. The outbox: written with the change it describes, never updated.

-- name: EventInsertMany
INSERT INTO event (workspace, ts, type, run_id, step_id, attempt, data)
SELECT u.workspace, :now, u.type, u.run_id, u.step_id, u.attempt, u.data::jsonb
FROM unnest(:workspaces::text[], :types::text[], :run_ids::bigint[], :step_ids::text[], :attempts::int[], :data::text[])
     WITH ORDINALITY AS u(workspace, type, run_id, step_id, attempt, data, n)
ORDER BY u.n

-- name: EventNotify
SELECT pg_notify('agentry', :signal)

-- name: EventListForRun
SELECT id, ts, type, step_id, attempt, data
FROM event
WHERE run_id = :run_id
ORDER BY id
