-- event_batch (tx, size, ts, first_id, last_id)
-- event (tx, n, workspace, ts, type, run_id, step_id, attempt, data)
-- event_sequence (last_id)
-- DDL: db/migration/V3__event_log_and_attention.sql
--
-- The event log. A transaction that changes something appends its events as one batch (RunWriteChanges in
-- run.sql, StepClaimReady in step.sql, EventAppend here); the batch has no position until it is committed
-- and sequenced. EventSequence numbers committed batches after the last id given out, one sequencer at a
-- time. Ids are what readers page by, so a reader never skips an event that commits after it read: that
-- event gets a higher id than anything already readable.

-- name: EventAppend
WITH events_batch AS (
    INSERT INTO event_batch (tx, size, ts)
    SELECT pg_current_xact_id(), cardinality(:types::text[]), :now
    WHERE cardinality(:types::text[]) > 0
    ON CONFLICT (tx) DO UPDATE SET size = event_batch.size + EXCLUDED.size
    RETURNING tx, size - cardinality(:types::text[]) AS first_n
)
INSERT INTO event (tx, n, workspace, ts, type, run_id, step_id, attempt, data)
SELECT b.tx, b.first_n + u.n - 1, u.workspace, :now, u.type, u.run_id, u.step_id, u.attempt, u.data::jsonb
FROM events_batch b
CROSS JOIN unnest(:workspaces::text[], :types::text[], :run_ids::bigint[], :step_ids::text[], :attempts::int[],
                  :data::text[])
     WITH ORDINALITY AS u(workspace, type, run_id, step_id, attempt, data, n)

-- name: EventHasUnsequenced
SELECT EXISTS (SELECT 1 FROM event_batch WHERE first_id IS NULL)

-- name: EventSequence
-- Numbers committed batches after the last id given out, and tells every node how far the log goes.
-- Sequencers take turns on the counter's row lock. Two statements in one round trip: the numbering takes its
-- snapshot after the lock is held, so it sees the counter and the batches as the previous sequencer left them.
SELECT 1 FROM event_sequence FOR UPDATE;
WITH counter AS (
    SELECT last_id FROM event_sequence
), pending AS (
    SELECT tx, size, sum(size) OVER (ORDER BY tx) AS through
    FROM event_batch
    WHERE first_id IS NULL
    ORDER BY tx
    LIMIT :limit
), numbered AS (
    UPDATE event_batch b
    SET first_id = c.last_id + p.through - p.size + 1, last_id = c.last_id + p.through
    FROM pending p, counter c
    WHERE b.tx = p.tx
    RETURNING b.last_id, b.size
)
UPDATE event_sequence
SET last_id = (SELECT max(last_id) FROM numbered)
WHERE EXISTS (SELECT 1 FROM numbered)
RETURNING (SELECT sum(size) FROM numbered) AS numbered, pg_notify('agentry', 'events:' || last_id)

-- name: EventGetPosition
SELECT last_id, pruned_through FROM event_log_position

-- name: EventListAfter
-- A page of events with where the log stood, in one statement so that both come from one snapshot: a page
-- that ends before last_id ends there because nothing else matched. (No event: one row with a null id.)
-- The batches are walked in id order from the given id and each one's events looked up by its key: written so,
-- the plan stays an index walk even as a generic plan, where the optional filters hide how selective they
-- are (a join instead was planned as a scan of every event).
SELECT p.last_id, p.pruned_through, page.*
FROM event_log_position p
LEFT JOIN LATERAL (
    SELECT b.first_id + e.n AS id, e.ts, e.workspace, e.type, e.run_id, e.step_id, e.attempt, e.data
    FROM event_batch b
    CROSS JOIN LATERAL (
        SELECT * FROM event e
        WHERE e.tx = b.tx AND b.first_id + e.n > :after
          AND (:workspace::text IS NULL OR e.workspace = :workspace)
          AND (:run_id::bigint IS NULL OR e.run_id = :run_id)
          AND (cardinality(:types::text[]) = 0 OR e.type LIKE ANY (:types::text[]))
        ORDER BY e.n
    ) e
    WHERE b.last_id > :after
    ORDER BY b.last_id, e.n
    LIMIT :limit
) page ON true
ORDER BY page.id

-- name: EventListForRun
SELECT b.first_id + e.n AS id, e.ts, e.workspace, e.type, e.run_id, e.step_id, e.attempt, e.data
FROM event e
JOIN event_batch b ON b.tx = e.tx
WHERE e.run_id = :run_id AND e.workspace = :workspace AND b.last_id IS NOT NULL AND b.first_id + e.n > :after
  AND (:step_id::text IS NULL OR e.step_id = :step_id)
  AND (cardinality(:types::text[]) = 0 OR e.type LIKE ANY (:types::text[]))
ORDER BY b.last_id, e.n
LIMIT :limit

-- name: EventPrune
-- Removes a prefix of the oldest batches written before a moment, up to a limit. Only old rows are
-- touched, so writers and the sequencer never wait for it.
WITH oldest AS (
    SELECT tx, last_id, ts FROM event_batch WHERE last_id IS NOT NULL ORDER BY last_id LIMIT :limit
), doomed AS (
    SELECT tx FROM oldest
    WHERE last_id < COALESCE((SELECT min(last_id) FROM oldest WHERE ts >= :before), 9223372036854775807)
), events_gone AS (
    DELETE FROM event e USING doomed d WHERE e.tx = d.tx
)
DELETE FROM event_batch b USING doomed d WHERE b.tx = d.tx
