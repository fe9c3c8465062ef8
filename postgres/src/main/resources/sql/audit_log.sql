-- audit_log (id, ts, workspace, action, actor, target, detail, run_id, step_id, prev_hash, hash)
-- audit_head (singleton, last_id, hash)
-- DDL: db/migration/V8__audit_log.sql
--
-- The audit log. An append is one transaction of its own, committed before the write it records starts:
-- AuditHeadLock takes the head's row lock (appenders on every node queue there, so the chain stays linear),
-- the appender hashes the entry onto the head's hash, and AuditLogAppend inserts it and moves the head in one
-- statement. Verification reads the chain in id order, a batch at a time, up to the head it read first.

-- name: AuditHeadLock
SELECT last_id, hash FROM audit_head FOR UPDATE

-- name: AuditLogAppend
WITH entry AS (
    INSERT INTO audit_log (id, ts, workspace, action, actor, target, detail, run_id, step_id, prev_hash, hash)
    VALUES (:id, :ts, :workspace, :action, :actor, :target, :detail::jsonb, :run_id, :step_id, :prev_hash, :hash)
    RETURNING id, hash
)
UPDATE audit_head SET last_id = entry.id, hash = entry.hash
FROM entry

-- name: AuditHeadGet
SELECT last_id, hash FROM audit_head

-- name: AuditLogList
SELECT id, ts, workspace, action, actor, target, detail, run_id, step_id, prev_hash, hash
FROM audit_log
WHERE workspace = :workspace AND id > :after
ORDER BY id
LIMIT :limit

-- name: AuditLogChain
SELECT id, ts, workspace, action, actor, target, detail, run_id, step_id, prev_hash, hash
FROM audit_log
WHERE id > :after AND id <= :through
ORDER BY id
LIMIT :limit

-- name: AuditLogBeyondHead
-- An entry past the head was inserted around the appender; one statement, so one snapshot of both tables.
SELECT min(l.id) AS id
FROM audit_log l, audit_head h
WHERE l.id > h.last_id
