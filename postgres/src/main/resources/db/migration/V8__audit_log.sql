-- The audit log: every write Agentry makes to the world outside it, recorded before the write happens.
-- Append-only (the triggers below refuse UPDATE, DELETE and TRUNCATE) and hash-chained: each entry's hash
-- covers the hash of the entry before it, so changing, removing or inserting an entry breaks every link after
-- it. How the hash is computed: dev.agentry.core.audit.AuditChain, and docs/audit.md.
--
-- Ids are not an identity sequence: the appender gives out audit_head.last_id + 1 while it holds the head's
-- row lock, so ids follow the chain exactly, without gaps (a sequence value is taken outside any lock and a
-- rolled-back append would leave a hole that looks like a removed entry).
CREATE TABLE audit_log (
    id        bigint      PRIMARY KEY CHECK (id > 0),
    ts        timestamptz NOT NULL,
    workspace text        NOT NULL,
    action    text        NOT NULL,
    actor     text        NOT NULL,
    target    text        NOT NULL,
    detail    jsonb       NOT NULL,
    run_id    bigint,
    step_id   text,
    prev_hash bytea       NOT NULL,
    hash      bytea       NOT NULL
);

CREATE INDEX audit_log_workspace ON audit_log (workspace, id);

-- The chain's newest link, one row. Appenders take turns on its row lock (SELECT ... FOR UPDATE), on every
-- node, so the chain stays one line however many nodes append at once. It also lets verify tell that the
-- newest entries were removed, which the links alone cannot show.
CREATE TABLE audit_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id   bigint  NOT NULL,
    hash      bytea   NOT NULL
);

INSERT INTO audit_head (singleton, last_id, hash) VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- Append-only, enforced by the database itself and not only by the code that writes. A trigger can be switched
-- off (ALTER TABLE ... DISABLE TRIGGER, or session_replication_role = replica) only by the table's owner or a
-- superuser: run the migrations as an owner role and give the role Agentry connects as only SELECT and INSERT
-- on audit_log and SELECT and UPDATE on audit_head. Even the owner leaves a broken chain behind that
-- `agentry audit verify` reports.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'entries are never changed or removed; a correction is a new entry';
END
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The head only moves forward, one entry at a time, and is never removed.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.last_id = OLD.last_id + 1 AND NEW.singleton THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_head only moves forward one entry at a time: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
