-- webhook_trigger (workspace, name, pipeline, format, secret_name, inputs, events, repository, enabled, created_at)
-- DDL: db/migration/V10__webhook_triggers.sql

-- name: WebhookTriggerUpsert
-- Replacing a trigger keeps when it was first created.
INSERT INTO webhook_trigger (workspace, name, pipeline, format, secret_name, inputs, events, repository, enabled, created_at)
VALUES (:workspace, :name, :pipeline, :format, :secret_name, :inputs::json, :events::text[], :repository, :enabled, :now)
ON CONFLICT (workspace, name) DO UPDATE
SET pipeline = EXCLUDED.pipeline, format = EXCLUDED.format, secret_name = EXCLUDED.secret_name,
    inputs = EXCLUDED.inputs, events = EXCLUDED.events, repository = EXCLUDED.repository, enabled = EXCLUDED.enabled
RETURNING workspace, name, pipeline, format, secret_name, inputs, events, repository, enabled, created_at

-- name: WebhookTriggerGet
SELECT workspace, name, pipeline, format, secret_name, inputs, events, repository, enabled, created_at
FROM webhook_trigger
WHERE workspace = :workspace AND name = :name

-- name: WebhookTriggerList
SELECT workspace, name, pipeline, format, secret_name, inputs, events, repository, enabled, created_at
FROM webhook_trigger
WHERE workspace = :workspace
ORDER BY name

-- name: WebhookTriggerDelete
-- Its deliveries go with it (ON DELETE CASCADE).
DELETE FROM webhook_trigger WHERE workspace = :workspace AND name = :name
