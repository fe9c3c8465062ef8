-- pull_request_comment (id, workspace, repository, number, body, created_at)
-- DDL: db/migration/V4__repositories_pools_and_pull_requests.sql

-- name: PullRequestCommentInsert
INSERT INTO pull_request_comment (workspace, repository, number, body, created_at)
VALUES (:workspace, :repository, :number, :body, :now)
