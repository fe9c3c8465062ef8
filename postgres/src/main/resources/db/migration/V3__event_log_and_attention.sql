-- The event log. A transaction appends its events as one batch with no position yet; the sequencer
-- (EventSequence in event.sql) gives committed batches their positions afterwards, in the order it sees
-- them commit. So event ids increase in commit order, without gaps, and a reader that has seen id N has
-- seen every event before N: no transaction can still commit an event with a lower id.
ALTER TABLE event RENAME TO event_v2;
ALTER INDEX event_pkey RENAME TO event_v2_pkey;
ALTER INDEX event_by_run RENAME TO event_v2_by_run;

CREATE TABLE event_batch (
    tx       xid8 PRIMARY KEY,     -- the transaction that wrote the batch
    size     int  NOT NULL,
    ts       timestamptz NOT NULL,
    first_id bigint,               -- the batch's first event id; null until sequenced
    last_id  bigint
);
CREATE INDEX event_batch_unsequenced ON event_batch (tx) WHERE first_id IS NULL;
CREATE UNIQUE INDEX event_batch_position ON event_batch (last_id);

CREATE TABLE event (
    tx        xid8 NOT NULL,       -- its batch
    n         int  NOT NULL,       -- its place in the batch: id = batch.first_id + n
    workspace text NOT NULL,
    ts        timestamptz NOT NULL,
    type      text NOT NULL,
    run_id    bigint,
    step_id   text,
    attempt   int,
    data      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tx, n)
);
CREATE INDEX event_by_run ON event (run_id);

-- One row: the last id given out. Its row lock makes sequencers take turns.
CREATE TABLE event_sequence (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id   bigint  NOT NULL
);

-- Where the log stands: the last id given out, and how far retention has removed (the oldest batch still
-- kept, its first id less one).
CREATE VIEW event_log_position AS
SELECT s.last_id,
       COALESCE((SELECT b.first_id - 1 FROM event_batch b WHERE b.last_id IS NOT NULL ORDER BY b.last_id LIMIT 1),
                s.last_id) AS pruned_through
FROM event_sequence s;

-- Events written before the log had positions become one batch, numbered in their old order.
INSERT INTO event_batch (tx, size, ts, first_id, last_id)
SELECT pg_current_xact_id(), count(*), max(ts), 1, count(*) FROM event_v2 HAVING count(*) > 0;
INSERT INTO event (tx, n, workspace, ts, type, run_id, step_id, attempt, data)
SELECT pg_current_xact_id(), row_number() OVER (ORDER BY id) - 1, workspace, ts, type, run_id, step_id, attempt, data
FROM event_v2;
INSERT INTO event_sequence (last_id) SELECT count(*) FROM event_v2;
DROP TABLE event_v2;

-- Liveness: the executor's last sign of life for the running attempt, and whether it is overdue.
ALTER TABLE step ADD COLUMN heartbeat_at timestamptz;
ALTER TABLE step ADD COLUMN stalled boolean NOT NULL DEFAULT false;

-- Things a person should look at. The type is an open set ('stalled' today; merge conflicts, failed
-- verification and closed pull requests later), so it is text, not an enum.
CREATE TABLE attention (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace   text   NOT NULL,
    type        text   NOT NULL,
    status      text   NOT NULL,   -- open | resolved
    run_id      bigint REFERENCES run (id),
    step_id     text,
    attempt     int,
    summary     text   NOT NULL,
    data        jsonb  NOT NULL DEFAULT '{}',
    raised_at   timestamptz NOT NULL,
    resolved_at timestamptz,
    resolved_by text,
    resolution  text
);
CREATE INDEX attention_by_workspace ON attention (workspace, id DESC);
CREATE INDEX attention_open ON attention (workspace, id) WHERE status = 'open';

-- Snapshots list the runs in flight of a workspace without reading its finished ones.
CREATE INDEX run_in_flight ON run (workspace, id) WHERE status IN ('queued', 'running', 'needs-you', 'paused');
