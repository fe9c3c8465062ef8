package dev.agentry.postgres;

import static dev.agentry.postgres.Sql.params;

import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.LocalPullRequests;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The local forge's records in PostgreSQL: pull requests numbered per repository, the checks an outside CI
 * reports on commits, comments.
 */
public final class PostgresPullRequests implements LocalPullRequests {
    /** The most of a diff kept, in UTF-8 bytes; a longer one is cut at a line end and says so. */
    public static final int MAX_DIFF_BYTES = 1 << 20;

    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final Database db;
    private final Clock clock;
    private final Sql pullRequestSql = Sql.load("pull_request");
    private final Sql checkSql = Sql.load("commit_check");
    private final Sql commentSql = Sql.load("pull_request_comment");

    public PostgresPullRequests(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Stored openOrUpdate(String workspace, String repository, String head, String base, String title, String body,
                               String headCommit, String diff) {
        String bounded = bounded(diff);
        return db.inTransaction(c -> {
            var locked = pullRequestSql.list(c, "PullRequestLockRepository",
                    params("workspace", workspace, "repository", repository), rs -> rs.getInt(1));
            if (locked.isEmpty()) {
                throw new IllegalArgumentException("no repository " + repository + " in workspace " + workspace);
            }
            return pullRequestSql.list(c, "PullRequestOpenOrUpdate", params("workspace", workspace,
                    "repository", repository, "head", head, "base", base, "title", title, "body", body == null ? "" : body,
                    "head_commit", headCommit, "diff", bounded, "now", clock.instant()), PostgresPullRequests::stored).getFirst();
        });
    }

    @Override
    public Optional<Stored> find(String workspace, String repository, int number) {
        return db.read(c -> pullRequestSql.list(c, "PullRequestGet", params("workspace", workspace,
                "repository", repository, "number", number), PostgresPullRequests::stored)).stream().findFirst();
    }

    @Override
    public List<Stored> list(String workspace, String repository) {
        return db.read(c -> pullRequestSql.list(c, "PullRequestList", params("workspace", workspace,
                "repository", repository), PostgresPullRequests::stored));
    }

    @Override
    public Stored markMerged(String workspace, String repository, int number, String headCommit, String mergeCommit) {
        db.singleStatement(c -> {
            try (var ps = pullRequestSql.prepare(c, "PullRequestSetMergedIfOpenAt", params("workspace", workspace,
                    "repository", repository, "number", number, "head_commit", headCommit, "merge_commit", mergeCommit,
                    "now", clock.instant()))) {
                return ps.executeUpdate();
            }
        });
        // Zero rows changed: merged already, closed, or moved to another head commit; the caller reads which.
        return find(workspace, repository, number).orElseThrow(() -> noPullRequest(workspace, repository, number));
    }

    @Override
    public void comment(String workspace, String repository, int number, String text) {
        try {
            db.singleStatement(c -> {
                try (var ps = commentSql.prepare(c, "PullRequestCommentInsert", params("workspace", workspace,
                        "repository", repository, "number", number, "body", text, "now", clock.instant()))) {
                    return ps.executeUpdate();
                }
            });
        } catch (Database.DatabaseException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.sqlState())) {
                throw noPullRequest(workspace, repository, number);
            }
            throw e;
        }
    }

    @Override
    public void reportCheck(String workspace, String repository, String commit, Checks.Check check) {
        if (check.state() == Checks.State.NONE) {
            throw new IllegalArgumentException("check " + check.name() + ": a reported check is pending, passed or failed");
        }
        db.singleStatement(c -> {
            try (var ps = checkSql.prepare(c, "CommitCheckUpsert", params("workspace", workspace, "repository", repository,
                    "commit_sha", commit, "name", check.name(), "state", check.state().name().toLowerCase(Locale.ROOT),
                    "url", check.url(), "now", clock.instant()))) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Checks.Check> checks(String workspace, String repository, String commit) {
        return db.read(c -> checkSql.list(c, "CommitCheckList", params("workspace", workspace, "repository", repository,
                "commit_sha", commit), rs -> new Checks.Check(rs.getString("name"),
                Checks.State.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)), rs.getString("url"))));
    }

    /** The diff as stored: whole if it fits {@link #MAX_DIFF_BYTES}, else its first lines and a note of what was cut. */
    static String bounded(String diff) {
        if (diff == null) {
            return "";
        }
        byte[] bytes = diff.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_DIFF_BYTES) {
            return diff;
        }
        int cut = MAX_DIFF_BYTES - 200; // room for the note
        while (cut > 0 && bytes[cut - 1] != '\n') {
            cut--;
        }
        if (cut == 0) { // one enormous line: cut on a character boundary instead
            cut = MAX_DIFF_BYTES - 200;
            while ((bytes[cut] & 0xC0) == 0x80) {
                cut--;
            }
        }
        String kept = new String(bytes, 0, cut, StandardCharsets.UTF_8);
        return kept + (kept.endsWith("\n") ? "" : "\n") + "[diff truncated: " + (bytes.length - cut)
                + " more bytes not stored]\n";
    }

    private static IllegalArgumentException noPullRequest(String workspace, String repository, int number) {
        return new IllegalArgumentException("no pull request #" + number + " in " + workspace + "/" + repository);
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getString("workspace"), rs.getString("repository"), rs.getInt("number"), rs.getString("head"),
                rs.getString("base"), rs.getString("title"), rs.getString("body"), rs.getString("state"),
                rs.getString("head_commit"), rs.getString("merge_commit"), rs.getString("diff"),
                Rows.instant(rs, "created_at"), Rows.instant(rs, "merged_at"));
    }
}
