-- agentry_user (name, server_admin, created_at)
-- account_member (account, user_name, role, created_at)
-- workspace_member (workspace, user_name, role, created_at)
-- api_token (id, user_name, name, token_hash, read_only, workspace, expires_at, created_at, last_used_at, revoked)
-- DDL: db/migration/V11__accounts_members_and_tokens.sql (account and workspace: V1, V5)

-- name: ApiTokenAuthenticate
SELECT t.id, t.name, t.user_name, t.read_only, t.workspace, t.expires_at, t.last_used_at, u.server_admin
FROM api_token t JOIN agentry_user u ON u.name = t.user_name
WHERE t.token_hash = :token_hash AND NOT t.revoked AND (t.expires_at IS NULL OR t.expires_at > :now)

-- name: ApiTokenTouch
-- Last use, kept to the minute so a busy token does not write on every request.
UPDATE api_token SET last_used_at = :now
WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :now - interval '1 minute')

-- name: ApiTokenInsert
INSERT INTO api_token (user_name, name, token_hash, read_only, workspace, expires_at, created_at)
VALUES (:user_name, :name, :token_hash, :read_only, :workspace, :expires_at, :now)
RETURNING id, user_name, name, read_only, workspace, expires_at, created_at, last_used_at, revoked

-- name: ApiTokenList
SELECT id, user_name, name, read_only, workspace, expires_at, created_at, last_used_at, revoked
FROM api_token WHERE user_name = :user_name ORDER BY id

-- name: ApiTokenRevoke
UPDATE api_token SET revoked = true WHERE id = :id AND (user_name = :user_name OR :any_user) AND NOT revoked

-- name: UserRoleInWorkspace
-- The stronger of the user's own membership and what they are in the workspace's account.
SELECT role FROM (
    SELECT m.role FROM workspace_member m WHERE m.workspace = :workspace AND m.user_name = :user_name
    UNION ALL
    SELECT a.role FROM account_member a JOIN workspace w ON w.account = a.account
    WHERE w.name = :workspace AND a.user_name = :user_name
) r

-- name: UserInsert
INSERT INTO agentry_user (name, server_admin, created_at) VALUES (:name, :server_admin, :now)
ON CONFLICT (name) DO NOTHING

-- name: UserList
SELECT name, server_admin, created_at FROM agentry_user ORDER BY name

-- name: UserGet
SELECT name, server_admin, created_at FROM agentry_user WHERE name = :name

-- name: UserAny
SELECT EXISTS (SELECT 1 FROM agentry_user) AS any

-- name: AccountInsert
INSERT INTO account (name, kind, created_at) VALUES (:name, :kind, :now) ON CONFLICT (name) DO NOTHING

-- name: AccountList
SELECT a.name, a.kind, a.created_at FROM account a
WHERE :all OR EXISTS (SELECT 1 FROM account_member m WHERE m.account = a.name AND m.user_name = :user_name)
   OR EXISTS (SELECT 1 FROM workspace w JOIN workspace_member wm ON wm.workspace = w.name
              WHERE w.account = a.name AND wm.user_name = :user_name)
ORDER BY a.name

-- name: AccountMemberRole
SELECT role FROM account_member WHERE account = :account AND user_name = :user_name

-- name: AccountMemberSet
INSERT INTO account_member (account, user_name, role, created_at) VALUES (:account, :user_name, :role, :now)
ON CONFLICT (account, user_name) DO UPDATE SET role = EXCLUDED.role

-- name: WorkspaceInsert
INSERT INTO workspace (name, account, created_at) VALUES (:name, :account, :now) ON CONFLICT (name) DO NOTHING

-- name: WorkspaceListForUser
-- Every workspace the user reaches, with the strongest role they hold in it (all of them for a server admin).
SELECT w.name AS workspace, :user_name AS user_name,
       (SELECT r.role FROM (
            SELECT m.role FROM workspace_member m WHERE m.workspace = w.name AND m.user_name = :user_name
            UNION ALL
            SELECT a.role FROM account_member a WHERE a.account = w.account AND a.user_name = :user_name) r
        ORDER BY CASE r.role WHEN 'owner' THEN 4 WHEN 'admin' THEN 3 WHEN 'member' THEN 2 ELSE 1 END DESC LIMIT 1) AS role
FROM workspace w
ORDER BY w.name

-- name: WorkspaceMemberList
SELECT workspace, user_name, role FROM workspace_member WHERE workspace = :workspace ORDER BY user_name

-- name: WorkspaceMemberSet
INSERT INTO workspace_member (workspace, user_name, role, created_at) VALUES (:workspace, :user_name, :role, :now)
ON CONFLICT (workspace, user_name) DO UPDATE SET role = EXCLUDED.role

-- name: WorkspaceMemberDelete
DELETE FROM workspace_member WHERE workspace = :workspace AND user_name = :user_name
