-- pull_request (workspace, repository, number, head, base, title, body, state, head_commit, merge_commit, diff,
--               created_at, merged_at)
-- DDL: db/migration/V4__repositories_pools_and_pull_requests.sql
-- Pull requests of the local forge. Numbers count up per repository from 1; at most one open per head branch.

-- name: PullRequestLockRepository
-- Writers that number a repository's pull requests queue here until commit, so that each reads the last number
-- after the one before it wrote its own. NO KEY UPDATE leaves the foreign-key checks of other inserts free.
SELECT 1 FROM repository WHERE workspace = :workspace AND name = :repository FOR NO KEY UPDATE

-- name: PullRequestOpenOrUpdate
-- A new pull request numbered after the repository's last, or the open one for the same head brought up to date.
-- Its base stays what it was opened with.
INSERT INTO pull_request (workspace, repository, number, head, base, title, body, state, head_commit, diff,
                          created_at)
SELECT :workspace, :repository, coalesce(max(number), 0) + 1, :head, :base, :title, :body, 'open', :head_commit,
       :diff, :now
FROM pull_request
WHERE workspace = :workspace AND repository = :repository
ON CONFLICT (workspace, repository, head) WHERE state = 'open'
DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, head_commit = EXCLUDED.head_commit,
              diff = EXCLUDED.diff
RETURNING workspace, repository, number, head, base, title, body, state, head_commit, merge_commit, diff,
          created_at, merged_at

-- name: PullRequestGet
SELECT workspace, repository, number, head, base, title, body, state, head_commit, merge_commit, diff, created_at,
       merged_at
FROM pull_request
WHERE workspace = :workspace AND repository = :repository AND number = :number

-- name: PullRequestList
SELECT workspace, repository, number, head, base, title, body, state, head_commit, merge_commit, diff, created_at,
       merged_at
FROM pull_request
WHERE workspace = :workspace AND repository = :repository
ORDER BY number

-- name: PullRequestSetMergedIfOpenAt
-- Only a pull request still open at the commit that was merged: one updated since was not what got merged.
UPDATE pull_request
SET state = 'merged', merge_commit = :merge_commit, merged_at = :now
WHERE workspace = :workspace AND repository = :repository AND number = :number
  AND state = 'open' AND head_commit = :head_commit
