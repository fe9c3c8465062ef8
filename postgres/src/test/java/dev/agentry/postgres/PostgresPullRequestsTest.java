package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.LocalPullRequests.Stored;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local forge's records on real PostgreSQL; each test works in a repository of its own. */
class PostgresPullRequestsTest {
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    private static final AtomicInteger REPOS = new AtomicInteger();

    static Database db;
    static PostgresPullRequests prs;

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
        prs = new PostgresPullRequests(db, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /** A repository registered in the default workspace, with plain SQL: its store is not this one. */
    private static String repository() {
        String name = "repo" + REPOS.incrementAndGet();
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO repository (workspace, name, url, base_branch, forge, created_at)"
                    + " VALUES ('default', ?, '/srv/git/' || ?, 'main', 'local', now())")) {
                ps.setString(1, name);
                ps.setString(2, name);
                return ps.executeUpdate();
            }
        });
        return name;
    }

    private static Stored open(String repo, String head, String commit) {
        return prs.openOrUpdate("default", repo, head, "main", "Change " + head, "Body of " + head, commit, "diff of " + commit);
    }

    @Test
    void pull_requests_are_numbered_from_one_per_repository() {
        String a = repository();
        String b = repository();

        assertThat(open(a, "task/1", "c1").number()).isEqualTo(1);
        assertThat(open(a, "task/2", "c2").number()).isEqualTo(2);
        assertThat(open(b, "task/1", "c3").number()).isEqualTo(1);
        assertThat(open(a, "task/3", "c4").number()).isEqualTo(3);

        Stored first = prs.find("default", a, 1).orElseThrow();
        assertThat(first).isEqualTo(new Stored("default", a, 1, "task/1", "main", "Change task/1", "Body of task/1", "open",
                "c1", null, "diff of c1", NOW, null));
        assertThat(prs.list("default", a)).extracting(Stored::number).containsExactly(1, 2, 3);
        assertThat(prs.find("default", a, 4)).isEmpty();
    }

    @Test
    void opening_again_for_an_open_head_updates_that_pull_request_in_place() {
        String repo = repository();
        open(repo, "task/x", "c1");

        Stored again = prs.openOrUpdate("default", repo, "task/x", "develop", "New title", "New body", "c2", "new diff");

        assertThat(again.number()).isEqualTo(1);
        assertThat(again.headCommit()).isEqualTo("c2");
        assertThat(again.diff()).isEqualTo("new diff");
        assertThat(again.title()).isEqualTo("New title");
        assertThat(again.body()).isEqualTo("New body");
        assertThat(again.base()).as("the base it was opened with").isEqualTo("main");
        assertThat(prs.list("default", repo)).hasSize(1);
    }

    @Test
    void a_head_whose_pull_request_was_merged_opens_a_new_one() {
        String repo = repository();
        open(repo, "task/x", "c1");
        prs.markMerged("default", repo, 1, "c1", "m1");

        Stored next = open(repo, "task/x", "c2");

        assertThat(next.number()).isEqualTo(2);
        assertThat(next.state()).isEqualTo("open");
        assertThat(prs.find("default", repo, 1).orElseThrow().state()).isEqualTo("merged");
    }

    @Test
    void concurrent_opens_get_distinct_numbers_and_one_head_gets_one_pull_request() throws Exception {
        String repo = repository();
        int writers = 8;
        var barrier = new CyclicBarrier(writers);
        try (var pool = Executors.newFixedThreadPool(writers)) {
            var tasks = new ArrayList<Callable<Stored>>();
            for (int i = 0; i < writers; i++) {
                // Half the writers share a head: those must end up in one pull request.
                String head = i % 2 == 0 ? "task/" + i : "task/shared";
                String commit = "c" + i;
                tasks.add(() -> {
                    barrier.await();
                    return open(repo, head, commit);
                });
            }
            List<Future<Stored>> results = pool.invokeAll(tasks);
            for (var r : results) {
                r.get();
            }
        }

        var stored = prs.list("default", repo);
        assertThat(stored).extracting(Stored::number).containsExactly(1, 2, 3, 4, 5);
        assertThat(stored).filteredOn(s -> s.head().equals("task/shared")).hasSize(1);
    }

    @Test
    void merged_is_marked_only_while_open_at_the_merged_head_commit() {
        String repo = repository();
        open(repo, "task/x", "c1");
        open(repo, "task/x", "c2"); // pushed again after the merger looked

        Stored stale = prs.markMerged("default", repo, 1, "c1", "m1");
        assertThat(stale.state()).isEqualTo("open");
        assertThat(stale.mergeCommit()).isNull();

        Stored merged = prs.markMerged("default", repo, 1, "c2", "m2");
        assertThat(merged.state()).isEqualTo("merged");
        assertThat(merged.mergeCommit()).isEqualTo("m2");
        assertThat(merged.mergedAt()).isEqualTo(NOW);

        Stored twice = prs.markMerged("default", repo, 1, "c2", "m3");
        assertThat(twice.mergeCommit()).as("the first merge stands").isEqualTo("m2");

        assertThatThrownBy(() -> prs.markMerged("default", repo, 9, "c2", "m3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no pull request #9 in default/" + repo);
    }

    @Test
    void comments_are_kept_with_their_pull_request() {
        String repo = repository();
        open(repo, "task/x", "c1");

        prs.comment("default", repo, 1, "Gate failed: tests");
        prs.comment("default", repo, 1, "Fixed");

        List<String> bodies = db.read(c -> {
            try (var ps = c.prepareStatement("SELECT body FROM pull_request_comment WHERE repository = ? ORDER BY id")) {
                ps.setString(1, repo);
                var rs = ps.executeQuery();
                var out = new ArrayList<String>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        });
        assertThat(bodies).containsExactly("Gate failed: tests", "Fixed");
        assertThatThrownBy(() -> prs.comment("default", repo, 2, "nobody home"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no pull request #2 in default/" + repo);
    }

    @Test
    void a_reported_check_replaces_the_earlier_report_of_its_name_on_that_commit() {
        String repo = repository();
        prs.reportCheck("default", repo, "c1", new Checks.Check("tests", Checks.State.PENDING, "https://ci/1"));
        prs.reportCheck("default", repo, "c1", new Checks.Check("lint", Checks.State.PASSED, null));
        prs.reportCheck("default", repo, "c1", new Checks.Check("tests", Checks.State.FAILED, "https://ci/2"));
        prs.reportCheck("default", repo, "c2", new Checks.Check("tests", Checks.State.PASSED, null));

        assertThat(prs.checks("default", repo, "c1")).containsExactly(
                new Checks.Check("lint", Checks.State.PASSED, null),
                new Checks.Check("tests", Checks.State.FAILED, "https://ci/2"));
        assertThat(prs.checks("default", repo, "c2")).containsExactly(new Checks.Check("tests", Checks.State.PASSED, null));
        assertThat(prs.checks("default", repo, "c3")).isEmpty();
        assertThatThrownBy(() -> prs.reportCheck("default", repo, "c1", new Checks.Check("x", Checks.State.NONE, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_diff_larger_than_a_mebibyte_is_stored_cut_at_a_line_with_a_note() {
        String repo = repository();
        String line = "+ a line of the diff, with ünïcödé in it\n";
        String diff = line.repeat(2 * PostgresPullRequests.MAX_DIFF_BYTES / line.length());

        Stored stored = prs.openOrUpdate("default", repo, "task/big", "main", "Big", "", "c1", diff);

        byte[] bytes = stored.diff().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isLessThanOrEqualTo(PostgresPullRequests.MAX_DIFF_BYTES);
        assertThat(stored.diff()).startsWith(line).endsWith(" more bytes not stored]\n");
        String kept = stored.diff().substring(0, stored.diff().indexOf("[diff truncated"));
        assertThat(kept.lines()).allMatch(l -> (l + "\n").equals(line));
    }

    @Test
    void opening_in_a_repository_that_is_not_registered_says_so() {
        assertThatThrownBy(() -> open("nowhere", "task/x", "c1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no repository nowhere in workspace default");
    }
}
