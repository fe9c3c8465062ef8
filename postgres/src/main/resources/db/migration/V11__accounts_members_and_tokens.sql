-- People and organisations own accounts; accounts own workspaces; users are members of workspaces (and of
-- accounts, which makes them members of every workspace of the account).
ALTER TABLE account ADD COLUMN kind text NOT NULL DEFAULT 'organisation';

CREATE TABLE agentry_user (
    name         text PRIMARY KEY,
    server_admin boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL
);

CREATE TABLE account_member (
    account    text NOT NULL REFERENCES account (name),
    user_name  text NOT NULL REFERENCES agentry_user (name),
    role       text NOT NULL,       -- owner, admin, member or viewer
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account, user_name)
);

CREATE TABLE workspace_member (
    workspace  text NOT NULL REFERENCES workspace (name),
    user_name  text NOT NULL REFERENCES agentry_user (name),
    role       text NOT NULL,       -- owner, admin, member or viewer
    created_at timestamptz NOT NULL,
    PRIMARY KEY (workspace, user_name)
);
CREATE INDEX workspace_member_user ON workspace_member (user_name);

-- An API token: only its SHA-256 is kept; the token is shown once, when it is made.
CREATE TABLE api_token (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_name    text  NOT NULL REFERENCES agentry_user (name),
    name         text  NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    read_only    boolean NOT NULL,
    workspace    text REFERENCES workspace (name),
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked      boolean NOT NULL DEFAULT false
);
CREATE INDEX api_token_user ON api_token (user_name);
