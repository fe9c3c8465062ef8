-- attention (id, workspace, type, status, run_id, step_id, attempt, summary, data, raised_at, resolved_at,
--            resolved_by, resolution)
-- DDL: db/migration/V3__event_log_and_attention.sql

-- name: AttentionList
SELECT id, workspace, type, status, run_id, step_id, attempt, summary, data, raised_at, resolved_at, resolved_by,
       resolution
FROM attention
WHERE (:workspace::text IS NULL OR workspace = :workspace)
  AND (:status::text IS NULL OR status = :status)
  AND (:run_id::bigint IS NULL OR run_id = :run_id)
ORDER BY id DESC
LIMIT :limit

-- name: AttentionGet
SELECT id, workspace, type, status, run_id, step_id, attempt, summary, data, raised_at, resolved_at, resolved_by,
       resolution
FROM attention
WHERE workspace = :workspace AND id = :id

-- name: AttentionResolve
UPDATE attention
SET status = 'resolved', resolved_at = :now, resolved_by = :resolved_by, resolution = :resolution
WHERE id = ANY (:ids::bigint[]) AND status = 'open'
RETURNING id, workspace, type, run_id, step_id, attempt, resolved_by, resolution

-- name: AttentionRaise
INSERT INTO attention (workspace, type, status, run_id, step_id, attempt, summary, data, raised_at)
SELECT u.workspace, u.type, 'open', u.run_id, u.step_id, u.attempt, u.summary, u.data::jsonb, :now
FROM unnest(:workspaces::text[], :types::text[], :run_ids::bigint[], :step_ids::text[], :attempts::int[],
            :summaries::text[], :data::text[]) AS u(workspace, type, run_id, step_id, attempt, summary, data)
RETURNING id, workspace, type, run_id, step_id, attempt, summary

-- name: AttentionListStalledResolvable
-- Open stalled items whose condition is gone: the attempt heartbeats again, or it is over (finished,
-- canceled, taken over by a new attempt).
SELECT a.id
FROM attention a
LEFT JOIN step s ON s.run_id = a.run_id AND s.step_id = a.step_id
WHERE a.status = 'open' AND a.type = 'stalled'
  AND (s.status IS DISTINCT FROM 'running' OR s.attempts <> a.attempt OR NOT s.stalled)
