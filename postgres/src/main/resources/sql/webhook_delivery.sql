-- webhook_delivery (workspace, trigger, delivery_id, run_id, received_at)
-- DDL: db/migration/V10__webhook_triggers.sql

-- name: WebhookDeliveryGet
SELECT run_id
FROM webhook_delivery
WHERE workspace = :workspace AND trigger = :trigger AND delivery_id = :delivery_id

-- name: WebhookDeliveryInsert
-- Inserts nothing when a copy of the delivery recorded it first.
INSERT INTO webhook_delivery (workspace, trigger, delivery_id, run_id, received_at)
VALUES (:workspace, :trigger, :delivery_id, :run_id, :received_at)
ON CONFLICT (workspace, trigger, delivery_id) DO NOTHING

-- name: WebhookDeliveryPrune
-- The oldest deliveries received before a moment, up to a limit, so no statement runs long.
DELETE FROM webhook_delivery
WHERE ctid IN (
    SELECT ctid FROM webhook_delivery
    WHERE received_at < :before
    ORDER BY received_at
    LIMIT :limit
)
