package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.audit.AuditChain;
import dev.agentry.core.audit.AuditEntry;
import dev.agentry.core.audit.AuditRecord;
import dev.agentry.core.audit.AuditUnavailable;
import dev.agentry.core.audit.ExternalWrites;
import dev.agentry.core.audit.Verification;
import dev.agentry.core.audit.WriteRefused;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit log on real PostgreSQL: the chain, its linearity across nodes, the database's refusals, tampering found. */
class AuditLogTest {
    String url;
    Database db;
    PostgresAuditLog audit;
    final List<Database> others = new ArrayList<>();

    @BeforeEach
    void open() {
        url = TestDatabase.freshUrl();
        db = Database.open(url, 4);
        audit = new PostgresAuditLog(db, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        others.forEach(Database::close);
        db.close();
    }

    /** Another node: its own pool on the same database. */
    Database node() {
        var other = Database.open(url, 4);
        others.add(other);
        return other;
    }

    static AuditEntry push(String workspace, int n) {
        return AuditEntry.byStep("git-push", workspace, n, "push", "repo shop branch agentry/" + n + "-x", Map.of("commit", "c" + n));
    }

    /** Runs statements as the tables' owner (the test's role is a superuser), with the append-only triggers off. */
    void tamper(String... statements) throws SQLException {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("ALTER TABLE audit_log DISABLE TRIGGER USER");
            s.execute("ALTER TABLE audit_head DISABLE TRIGGER USER");
            try {
                for (String statement : statements) {
                    s.execute(statement);
                }
            } finally {
                s.execute("ALTER TABLE audit_log ENABLE TRIGGER USER");
                s.execute("ALTER TABLE audit_head ENABLE TRIGGER USER");
            }
        }
    }

    void execute(String statement) throws SQLException {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    void appendPushes(int n) {
        for (int i = 1; i <= n; i++) {
            audit.append(push("shop", i));
        }
    }

    @Test
    void each_entry_links_to_the_hash_of_the_one_before_and_the_first_to_zeros() {
        assertThat(audit.append(push("shop", 1))).isEqualTo(1);
        assertThat(audit.append(push("shop", 2))).isEqualTo(2);
        assertThat(audit.append(push("shop", 3))).isEqualTo(3);

        List<AuditRecord> records = audit.list("shop", 0, 10);
        assertThat(records).extracting(AuditRecord::id).containsExactly(1L, 2L, 3L);
        assertThat(records.get(0).prevHash()).isEqualTo("00".repeat(32));
        assertThat(records.get(1).prevHash()).isEqualTo(records.get(0).hash());
        assertThat(records.get(2).prevHash()).isEqualTo(records.get(1).hash());
        assertThat(records.get(1).entry()).isEqualTo(push("shop", 2));
        for (var r : records) {
            byte[] recomputed = AuditChain.hash(HexFormat.of().parseHex(r.prevHash()), r.id(), r.at(), r.entry());
            assertThat(AuditChain.hex(recomputed)).as("entry %d", r.id()).isEqualTo(r.hash());
        }
        assertThat(audit.verify()).isEqualTo(new Verification.Intact(3, records.get(2).hash()));
    }

    @Test
    void an_empty_log_is_intact_with_the_zero_hash_at_its_head() {
        assertThat(audit.verify()).isEqualTo(new Verification.Intact(0, "00".repeat(32)));
    }

    @Test
    void a_workspace_lists_only_its_own_entries_a_page_at_a_time() {
        audit.append(push("shop", 1));
        audit.append(push("blog", 2));
        audit.append(push("shop", 3));
        audit.append(push("shop", 4));

        assertThat(audit.list("shop", 0, 2)).extracting(AuditRecord::id).containsExactly(1L, 3L);
        assertThat(audit.list("shop", 3, 2)).extracting(AuditRecord::id).containsExactly(4L);
        assertThat(audit.list("blog", 0, 10)).extracting(r -> r.entry().target()).containsExactly("repo shop branch agentry/2-x");
        assertThatThrownBy(() -> audit.list("shop", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appends_from_many_threads_on_two_nodes_make_one_linear_intact_chain() throws Exception {
        var nodes = List.of(new PostgresAuditLog(db, Clock.systemUTC()), new PostgresAuditLog(node(), Clock.systemUTC()));
        int threads = 8;
        int each = 25;
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(threads);
        var futures = new ArrayList<Future<List<Long>>>();
        try {
            for (int t = 0; t < threads; t++) {
                var log = nodes.get(t % 2);
                String workspace = "ws" + t;
                futures.add(pool.submit((Callable<List<Long>>) () -> {
                    start.await();
                    var ids = new ArrayList<Long>();
                    for (int i = 1; i <= each; i++) {
                        ids.add(log.append(push(workspace, i)));
                    }
                    return ids;
                }));
            }
            start.countDown();
            var all = new ArrayList<Long>();
            for (var f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, threads * each).boxed().toList());
        } finally {
            pool.shutdownNow();
        }

        assertThat(audit.verify()).isInstanceOf(Verification.Intact.class)
                .extracting(v -> ((Verification.Intact) v).count()).isEqualTo((long) threads * each);
        // Read in batches that do not divide the log, as another node would.
        assertThat(new PostgresAuditLog(node(), Clock.systemUTC(), 7).verify()).isEqualTo(audit.verify());
        for (int t = 0; t < threads; t++) {
            assertThat(audit.list("ws" + t, 0, 100)).extracting(r -> r.entry().detail().get("commit"))
                    .as("a thread's own entries keep its order").containsExactly(
                            LongStream.rangeClosed(1, each).mapToObj(i -> "c" + i).toArray(String[]::new));
        }
    }

    @Test
    void the_database_refuses_to_update_delete_or_truncate_an_entry_or_move_the_head_back() {
        appendPushes(2);

        for (String statement : List.of("UPDATE audit_log SET actor = 'mallory' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2",
                "TRUNCATE audit_log CASCADE", "UPDATE audit_head SET last_id = 1", "DELETE FROM audit_head", "TRUNCATE audit_head")) {
            assertThatThrownBy(() -> execute(statement)).as(statement).isInstanceOf(SQLException.class)
                    .hasMessageContaining("refused")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }

        assertThat(audit.list("shop", 0, 10)).extracting(r -> r.entry().actor()).containsExactly("run:1/push", "run:2/push");
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void an_entry_changed_behind_the_triggers_back_is_named_as_the_first_broken_link() throws Exception {
        appendPushes(5);
        String stored = audit.list("shop", 0, 10).get(2).hash();

        tamper("UPDATE audit_log SET target = 'repo shop branch main' WHERE id = 3",
                "UPDATE audit_log SET detail = '{\"commit\": \"forged\"}' WHERE id = 4");

        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(3);
            assertThat(broken.found()).isEqualTo(stored);
            assertThat(broken.expected()).isNotEqualTo(stored);
            assertThat(broken.why()).contains("changed after it was written");
        });
    }

    @Test
    void an_entry_rewritten_with_a_fresh_hash_breaks_the_link_from_the_entry_after_it() throws Exception {
        appendPushes(4);
        var second = audit.list("shop", 0, 10).get(1);
        var forged = second.entry().as("git-push", Map.of("commit", "forged"));
        byte[] hash = AuditChain.hash(HexFormat.of().parseHex(second.prevHash()), 2, second.at(), forged);

        tamper("UPDATE audit_log SET detail = '{\"commit\": \"forged\"}', hash = '\\x" + AuditChain.hex(hash) + "' WHERE id = 2");

        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(3);
            assertThat(broken.why()).contains("does not link to entry 2");
        });
    }

    @Test
    void removed_entries_are_named_whether_in_the_middle_or_the_newest() throws Exception {
        appendPushes(6);

        tamper("DELETE FROM audit_log WHERE id IN (3, 4)");
        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(3);
            assertThat(broken.why()).contains("entries 3 to 4 are missing");
        });

        tamper("DELETE FROM audit_log WHERE id >= 3");
        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(3);
            assertThat(broken.why()).contains("the newest entries 3 to 6 are missing");
        });
    }

    @Test
    void a_newest_entry_rewritten_with_its_hash_no_longer_matches_the_head() throws Exception {
        appendPushes(2);
        var last = audit.list("shop", 0, 10).get(1);
        var forged = last.entry().as("git-push", Map.of("commit", "forged"));
        byte[] hash = AuditChain.hash(HexFormat.of().parseHex(last.prevHash()), 2, last.at(), forged);

        tamper("UPDATE audit_log SET detail = '{\"commit\": \"forged\"}', hash = '\\x" + AuditChain.hex(hash) + "' WHERE id = 2");

        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(2);
            assertThat(broken.expected()).isEqualTo(last.hash());
            assertThat(broken.why()).contains("not the entry the head recorded");
        });
    }

    @Test
    void a_detail_that_is_no_longer_an_object_of_strings_is_reported_not_thrown() throws Exception {
        appendPushes(2);

        tamper("UPDATE audit_log SET detail = '{\"commit\": 7}' WHERE id = 2");

        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(2);
            assertThat(broken.why()).contains("not an object of strings");
        });
    }

    @Test
    void an_entry_inserted_past_the_head_is_found() throws Exception {
        appendPushes(2);
        var last = audit.list("shop", 0, 10).get(1);

        execute("INSERT INTO audit_log (id, ts, workspace, action, actor, target, detail, prev_hash, hash) "
                + "VALUES (3, now(), 'shop', 'git-push', 'mallory', 'repo shop', '{}', '\\x" + last.hash() + "', '\\x00')");

        assertThat(audit.verify()).isInstanceOfSatisfying(Verification.Broken.class, broken -> {
            assertThat(broken.firstBrokenId()).isEqualTo(3);
            assertThat(broken.why()).contains("past the head");
        });
    }

    @Test
    void the_intent_is_committed_and_visible_to_another_node_before_the_write_runs() {
        var writes = new ExternalWrites(audit);
        var elsewhere = new PostgresAuditLog(node(), Clock.systemUTC());
        var open = AuditEntry.byStep("pr-open", "shop", 12, "open", "pr shop head agentry/12-x", Map.of("base", "main"));

        int number = writes.perform(open, () -> {
            assertThat(elsewhere.list("shop", 0, 10)).singleElement().satisfies(r -> assertThat(r.entry()).isEqualTo(open));
            return 3;
        }, n -> Map.of("number", Integer.toString(n)));

        assertThat(number).isEqualTo(3);
        assertThat(elsewhere.list("shop", 0, 10)).extracting(r -> r.entry().action()).containsExactly("pr-open", "pr-open-done");
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void when_the_database_is_gone_the_write_is_refused_and_never_runs() {
        var writes = new ExternalWrites(audit);
        db.close();
        var ran = new AtomicBoolean();

        assertThatThrownBy(() -> writes.perform(push("shop", 1), () -> ran.getAndSet(true)))
                .isInstanceOf(WriteRefused.class)
                .hasCauseInstanceOf(AuditUnavailable.class)
                .hasMessageStartingWith("audit log unavailable: cannot append to the audit log")
                .hasMessageEndingWith("; git-push on repo shop branch agentry/1-x was not done");
        assertThat(ran).isFalse();
        assertThat(new PostgresAuditLog(node(), Clock.systemUTC()).verify()).isEqualTo(new Verification.Intact(0, "00".repeat(32)));
    }
}
