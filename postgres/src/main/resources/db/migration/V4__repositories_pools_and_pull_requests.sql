-- Repositories registered with a workspace: runs that name one work on a branch of it.
CREATE TABLE repository (
    workspace      text NOT NULL REFERENCES workspace (name),
    name           text NOT NULL,
    url            text NOT NULL,
    base_branch    text NOT NULL,
    forge          text NOT NULL,
    credential_ref text,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (workspace, name)
);

-- Runner pools besides the built-in local one. A manifest pool's manifest is stored as validated.
CREATE TABLE runner_pool (
    name       text PRIMARY KEY,
    kind       text   NOT NULL,
    slots      int    NOT NULL,
    labels     text[] NOT NULL DEFAULT '{}',
    manifest   jsonb,
    created_at timestamptz NOT NULL
);

-- A run on a repository works on its own task branch of it.
ALTER TABLE run ADD COLUMN repository text;
ALTER TABLE run ADD COLUMN branch text;

-- Which pool executes the step: a pool's name, or null and labels a pool must all carry. A step that is not
-- finished yet may keep what it learned between attempts (a gate's checks and fixes) in memo.
ALTER TABLE step ADD COLUMN pool text;
ALTER TABLE step ADD COLUMN pool_labels text[] NOT NULL DEFAULT '{}';
ALTER TABLE step ADD COLUMN memo jsonb NOT NULL DEFAULT '{}';

-- The local forge: pull requests with their diff, the checks an outside CI reports on commits, comments.
CREATE TABLE pull_request (
    workspace    text NOT NULL,
    repository   text NOT NULL,
    number       int  NOT NULL,
    head         text NOT NULL,
    base         text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    state        text NOT NULL,
    head_commit  text NOT NULL,
    merge_commit text,
    diff         text NOT NULL,
    created_at   timestamptz NOT NULL,
    merged_at    timestamptz,
    PRIMARY KEY (workspace, repository, number),
    FOREIGN KEY (workspace, repository) REFERENCES repository (workspace, name) ON DELETE CASCADE
);
CREATE UNIQUE INDEX pull_request_open_head ON pull_request (workspace, repository, head) WHERE state = 'open';

CREATE TABLE commit_check (
    workspace  text NOT NULL,
    repository text NOT NULL,
    commit_sha text NOT NULL,
    name       text NOT NULL,
    state      text NOT NULL,
    url        text,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (workspace, repository, commit_sha, name)
);

CREATE TABLE pull_request_comment (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace  text NOT NULL,
    repository text NOT NULL,
    number     int  NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL,
    FOREIGN KEY (workspace, repository, number) REFERENCES pull_request (workspace, repository, number) ON DELETE CASCADE
);
