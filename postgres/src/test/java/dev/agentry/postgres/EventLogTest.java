package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.engine.Signals;
import dev.agentry.core.event.EventFilter;
import dev.agentry.core.event.EventLog;
import dev.agentry.core.event.LoggedEvent;
import dev.agentry.core.event.NewEvent;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event log's ids: commit order, no event skipped by a reader, nothing from a rolled-back change. */
class EventLogTest {
    private static final EventFilter ALL = new EventFilter(null, null, List.of());

    Database db;
    PostgresEventLog log;

    @BeforeEach
    void open() {
        db = TestDatabase.fresh();
        log = new PostgresEventLog(db, new Signals(), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static NewEvent event(String label) {
        return new NewEvent("default", "test.event", null, null, null, Map.of("label", label));
    }

    private List<LoggedEvent> readAll(long after) {
        log.sequence(10_000);
        return log.read(after, ALL, 10_000).events();
    }

    @Test
    void an_event_that_commits_after_a_later_started_one_is_read_after_it_not_skipped() throws Exception {
        try (Connection slow = db.dataSource().getConnection()) {
            slow.setAutoCommit(false);
            PostgresEventLog.append(slow, List.of(event("slow")), Instant.now()); // written first...
            log.append(List.of(event("fast")));                                   // ...committed second

            var before = readAll(0);
            assertThat(before).extracting(LoggedEvent::data).containsExactly("{\"label\": \"fast\"}");
            long seen = before.get(0).id();

            slow.commit();
            var after = readAll(seen);
            assertThat(after).extracting(LoggedEvent::data).containsExactly("{\"label\": \"slow\"}");
            assertThat(after.get(0).id()).isEqualTo(seen + 1);
        }
    }

    @Test
    void a_reader_polling_while_many_transactions_commit_out_of_order_sees_every_event_once_in_id_order() throws Exception {
        int writers = 6;
        int perWriter = 40;
        var done = new AtomicBoolean();
        var threads = new ArrayList<Thread>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perWriter; i++) {
                    // Each transaction appends, then waits a random while before committing: later transactions
                    // often commit first.
                    db.inTransaction(c -> {
                        PostgresEventLog.append(c, List.of(event(writer + "/" + 0), event("x")), Instant.now());
                        sleep(ThreadLocalRandom.current().nextInt(0, 6));
                        return null;
                    });
                }
            }));
        }
        var sequencer = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                log.sequence(100);
                sleep(1);
            }
        });
        var seen = new ArrayList<Long>();
        long last = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            for (var e : log.read(last, ALL, 50).events()) {
                seen.add(e.id());
                last = e.id();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        sequencer.join();
        log.sequence(10_000);
        for (var e : log.read(last, ALL, 10_000).events()) {
            seen.add(e.id());
        }

        int total = writers * perWriter * 2;
        assertThat(seen).hasSize(total);
        assertThat(new HashSet<>(seen)).hasSize(total);
        assertThat(seen).isSorted();
        assertThat(seen.get(seen.size() - 1)).as("ids have no gaps").isEqualTo(total);
    }

    @Test
    void a_rolled_back_change_leaves_no_event_and_no_hole_in_the_ids() {
        log.append(List.of(event("kept")));
        try {
            db.inTransaction(c -> {
                PostgresEventLog.append(c, List.of(event("lost")), Instant.now());
                throw new IllegalStateException("the change fails after writing its events");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        log.append(List.of(event("next")));

        var events = readAll(0);
        assertThat(events).extracting(LoggedEvent::data)
                .containsExactly("{\"label\": \"kept\"}", "{\"label\": \"next\"}");
        assertThat(events).extracting(LoggedEvent::id).containsExactly(1L, 2L);
    }

    @Test
    void retention_removes_the_oldest_events_and_the_log_says_how_far_it_removed() {
        log.append(List.of(event("old-1"), event("old-2")));
        log.append(List.of(event("old-3")));
        log.sequence(100);
        var cutoff = Instant.now().plusMillis(1);
        sleep(5);
        log.append(List.of(event("new")));
        log.sequence(100);

        int removed = log.prune(cutoff, 1_000);

        assertThat(removed).as("batches removed").isEqualTo(2);
        var position = log.position();
        assertThat(position).isEqualTo(new EventLog.Position(4, 3));
        assertThat(log.read(0, ALL, 100).events()).extracting(LoggedEvent::id).containsExactly(4L);
    }

    @Test
    void a_snapshot_taken_before_the_sequencer_ran_numbers_what_it_sees_so_its_position_covers_it() {
        log.append(List.of(event("a"), event("b")));
        assertThat(log.position().last()).as("not numbered yet").isZero();

        var snapshot = log.snapshot(null, null);

        assertThat(snapshot.position()).isEqualTo(2);
        assertThat(log.read(0, ALL, 10).events()).extracting(LoggedEvent::id).containsExactly(1L, 2L);
    }

    @Test
    void events_written_with_a_change_are_read_back_in_the_documented_schema() {
        log.append(List.of(new NewEvent("default", "step.log", 7L, "build", 2, Map.of("seq", 0, "text", "line \"1\"\n"))));
        var e = readAll(0).get(0);
        assertThat(e.json()).startsWith("{\"id\":1,\"ts\":\"")
                .endsWith("\"workspace\":\"default\",\"type\":\"step.log\",\"run\":7,\"step\":\"build\",\"attempt\":2,"
                        + "\"data\":{\"seq\": 0, \"text\": \"line \\\"1\\\"\\n\"}}");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
