-- run (id, workspace, pipeline, version_id, status, inputs, idempotency_key, rerun_of, error,
--      created_at, started_at, finished_at, repository, branch)
-- DDL: db/migration/V2__runs.sql, V4__repositories_pools_and_pull_requests.sql

-- name: RunReserveIds
SELECT nextval(pg_get_serial_sequence('run', 'id')) FROM generate_series(1, :count)

-- name: RunLockIdempotencyKey
-- Starts with the same key wait for each other until commit: the second sees the first's run.
SELECT pg_advisory_xact_lock(hashtextextended(:workspace || '/' || :idempotency_key, 1))

-- name: RunGetIdByIdempotencyKey
SELECT id FROM run WHERE workspace = :workspace AND idempotency_key = :idempotency_key

-- name: RunLockWithSteps
-- Locks the runs, in id order for every writer so that writers never deadlock, then reads them with their
-- steps. Two statements sent in one round trip: the read must take its snapshot after the locks are held.
-- (One statement that locks and reads would, after waiting for a lock, return the run row as the other
-- writer left it but its step rows as they were before: a run whose last two steps finish at once would
-- never see both finished.) Holding a run's row is holding the run: every change to a run goes through
-- here. Step rows are not locked: the only other writers of a step row are the claim (ready -> running)
-- and lease renewal, and RunWriteChanges only changes a step row that still has the status and attempt
-- read here.
SELECT id FROM run WHERE id = ANY (:run_ids::bigint[]) ORDER BY id FOR UPDATE;
SELECT r.id AS run_id, r.workspace, r.version_id, r.status AS run_status, r.inputs, r.created_at AS run_created_at,
       r.started_at AS run_started_at, r.finished_at AS run_finished_at, r.error AS run_error, r.repository, r.branch,
       s.step_id, s.status, s.attempts, s.failures, s.lost, s.key_generation, s.ready_at, s.due_at,
       s.started_at, s.finished_at, s.lease_owner, s.outputs, s.error, s.decision_id, s.pool, s.pool_labels::text AS pool_labels,
       s.memo
FROM unnest(:run_ids::bigint[]) AS wanted(id)
JOIN run r ON r.id = wanted.id
JOIN step s ON s.run_id = r.id
ORDER BY r.id, s.position

-- name: RunWriteChanges
-- Everything one engine transaction changed, in one round trip: the runs it created with their steps,
-- the step, run and attempt rows it changed, the events describing those changes (in the order they happened),
-- and the NOTIFY that wakes other nodes when it commits. Each part is an array statement over however
-- many runs the transaction touched; the parts touch disjoint rows, so running them as data-modifying
-- CTEs of one statement is the same as running them one after another, without the round trips.
-- A step row is only changed if it still has the status and attempt the engine read (a claim may have
-- taken a ready step meanwhile); the counts it returns let the caller notice and start over.
WITH inserted_runs AS (
    INSERT INTO run (id, workspace, pipeline, version_id, status, inputs, idempotency_key, rerun_of, error,
                     created_at, started_at, finished_at, repository, branch)
    OVERRIDING SYSTEM VALUE
    SELECT u.id, u.workspace, u.pipeline, u.version_id, u.status, u.inputs::jsonb, u.idempotency_key, u.rerun_of,
           u.error, u.created_at::timestamptz, u.started_at::timestamptz, u.finished_at::timestamptz, u.repository,
           u.branch
    FROM unnest(:new_runs::bigint[], :new_run_workspaces::text[], :new_run_pipelines::text[],
                :new_run_versions::bigint[], :new_run_statuses::text[], :new_run_inputs::text[],
                :new_run_keys::text[], :new_run_rerun_of::bigint[], :new_run_errors::text[],
                :new_run_created_at::text[], :new_run_started_at::text[], :new_run_finished_at::text[],
                :new_run_repositories::text[], :new_run_branches::text[])
         AS u(id, workspace, pipeline, version_id, status, inputs, idempotency_key, rerun_of, error, created_at,
              started_at, finished_at, repository, branch)
), inserted_steps AS (
    INSERT INTO step (run_id, step_id, position, kind, status, ready_at, due_at, started_at, finished_at, outputs,
                      decision_id, pool, pool_labels)
    SELECT u.run_id, u.step_id, u.position, u.kind, u.status, u.ready_at::timestamptz, u.due_at::timestamptz,
           u.started_at::timestamptz, u.finished_at::timestamptz, u.outputs::jsonb, u.decision_id, u.pool,
           u.pool_labels::text[]
    FROM unnest(:new_run_ids::bigint[], :new_step_ids::text[], :new_positions::int[], :new_kinds::text[],
                :new_statuses::text[], :new_ready_at::text[], :new_due_at::text[], :new_started_at::text[],
                :new_finished_at::text[], :new_outputs::text[], :new_decision_ids::bigint[], :new_pools::text[],
                :new_pool_labels::text[])
         AS u(run_id, step_id, position, kind, status, ready_at, due_at, started_at, finished_at, outputs, decision_id,
              pool, pool_labels)
), updated_steps AS (
    UPDATE step s
    SET status = u.status, attempts = u.attempts, failures = u.failures, lost = u.lost,
        key_generation = u.key_generation, ready_at = u.ready_at::timestamptz, due_at = u.due_at::timestamptz,
        started_at = u.started_at::timestamptz, finished_at = u.finished_at::timestamptz,
        lease_owner = u.lease_owner, lease_expires_at = CASE WHEN u.status = 'running' THEN s.lease_expires_at END,
        outputs = u.outputs::jsonb, error = u.error, decision_id = u.decision_id, pool = u.pool,
        pool_labels = u.pool_labels::text[], memo = u.memo::jsonb
    FROM unnest(:run_ids::bigint[], :step_ids::text[], :statuses::text[], :attempts::int[], :failures::int[],
                :lost::int[], :key_generations::int[], :ready_at::text[], :due_at::text[], :started_at::text[],
                :finished_at::text[], :lease_owners::text[], :outputs::text[], :errors::text[], :decision_ids::bigint[],
                :read_statuses::text[], :read_attempts::int[], :pools::text[], :pool_labels::text[], :memos::text[])
         AS u(run_id, step_id, status, attempts, failures, lost, key_generation, ready_at, due_at, started_at,
              finished_at, lease_owner, outputs, error, decision_id, read_status, read_attempts, pool, pool_labels, memo)
    WHERE s.run_id = u.run_id AND s.step_id = u.step_id AND s.status = u.read_status AND s.attempts = u.read_attempts
    RETURNING 1
), updated_runs AS (
    UPDATE run r
    SET status = u.status, started_at = u.started_at::timestamptz, finished_at = u.finished_at::timestamptz,
        error = u.error
    FROM unnest(:run_row_ids::bigint[], :run_statuses::text[], :run_started::text[], :run_finished::text[],
                :run_errors::text[])
         AS u(id, status, started_at, finished_at, error)
    WHERE r.id = u.id
), finished_attempts AS (
    -- Written once, when the attempt ends (the primary key refuses a second ending).
    INSERT INTO step_attempt (run_id, step_id, attempt, status, node, key_generation, started_at, finished_at,
                              error, exit_code, log)
    SELECT u.run_id, u.step_id, u.attempt, u.status, u.node, u.key_generation, u.started_at::timestamptz,
           u.finished_at::timestamptz, u.error, u.exit_code, u.log
    FROM unnest(:attempt_run_ids::bigint[], :attempt_step_ids::text[], :attempt_numbers::int[],
                :attempt_statuses::text[], :attempt_nodes::text[], :attempt_key_generations::int[],
                :attempt_started_at::text[], :attempt_finished_at::text[], :attempt_errors::text[],
                :attempt_exit_codes::int[], :attempt_logs::text[])
         AS u(run_id, step_id, attempt, status, node, key_generation, started_at, finished_at, error, exit_code, log)
), events_batch AS (
    -- This transaction's batch in the event log (event.sql): created, or grown when an earlier statement of the
    -- same transaction appended events too. Its events get ids when the sequencer sees it committed.
    INSERT INTO event_batch (tx, size, ts)
    SELECT pg_current_xact_id(), cardinality(:event_types::text[]), :now
    WHERE cardinality(:event_types::text[]) > 0
    ON CONFLICT (tx) DO UPDATE SET size = event_batch.size + EXCLUDED.size
    RETURNING tx, size - cardinality(:event_types::text[]) AS first_n
), inserted_events AS (
    INSERT INTO event (tx, n, workspace, ts, type, run_id, step_id, attempt, data)
    SELECT b.tx, b.first_n + u.n - 1, u.workspace, :now, u.type, u.run_id, u.step_id, u.attempt, u.data::jsonb
    FROM events_batch b
    CROSS JOIN unnest(:event_workspaces::text[], :event_types::text[], :event_run_ids::bigint[], :event_step_ids::text[],
                      :event_attempts::int[], :event_data::text[])
         WITH ORDINALITY AS u(workspace, type, run_id, step_id, attempt, data, n)
)
SELECT (SELECT count(*) FROM updated_steps) AS steps_changed,
       (SELECT count(pg_notify('agentry', signal)) FROM unnest(:signals::text[]) AS signal) AS notified

-- name: RunCountActive
SELECT count(*) FROM run
WHERE workspace = :workspace AND pipeline = :pipeline AND status IN ('running', 'needs-you')

-- name: RunLockAdmission
-- Serialises admission decisions for one pipeline's concurrency limit, across nodes, until commit.
SELECT pg_advisory_xact_lock(hashtextextended(:workspace || '/' || :pipeline, 0))

-- name: RunListQueued
SELECT id FROM run
WHERE workspace = :workspace AND pipeline = :pipeline AND status = 'queued'
ORDER BY id
LIMIT :limit

-- name: RunList
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at, r.repository, r.branch
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.workspace = :workspace
  AND (:pipeline::text IS NULL OR r.pipeline = :pipeline)
  AND (:status::text IS NULL OR r.status = :status)
  AND (:before::bigint IS NULL OR r.id < :before)
ORDER BY r.id DESC
LIMIT :limit

-- name: RunGet
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at, r.repository, r.branch
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.workspace = :workspace AND r.id = :id

-- name: RunListInFlight
-- For snapshots: the runs not yet finished, started ones first, newest first.
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at, r.repository, r.branch
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.status IN ('queued', 'running', 'needs-you', 'paused')
  AND (:workspace::text IS NULL OR r.workspace = :workspace)
ORDER BY r.status = 'queued', r.id DESC
LIMIT :limit

-- name: RunGetAnyStatus
SELECT r.id, r.workspace, r.pipeline, v.version, r.status, r.inputs, r.error, r.idempotency_key, r.rerun_of,
       r.created_at, r.started_at, r.finished_at, r.repository, r.branch
FROM run r JOIN pipeline_version v ON v.id = r.version_id
WHERE r.id = :id AND (:workspace::text IS NULL OR r.workspace = :workspace)
