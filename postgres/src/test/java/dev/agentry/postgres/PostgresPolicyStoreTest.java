package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Policy versions on real PostgreSQL; each test works in a workspace of its own. */
class PostgresPolicyStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    private static final AtomicInteger WORKSPACES = new AtomicInteger();

    static Database db;
    static PostgresPolicyStore store;

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
        store = new PostgresPolicyStore(db, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /** A new workspace, with plain SQL: its store is not this one. */
    private static String workspace() {
        String name = "ws" + WORKSPACES.incrementAndGet();
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO workspace (name) VALUES (?)")) {
                ps.setString(1, name);
                return ps.executeUpdate();
            }
        });
        return name;
    }

    @Test
    void a_workspace_without_a_policy_has_no_versions_and_latest_version_0() {
        String ws = workspace();

        assertThat(store.latestVersion(ws)).isZero();
        assertThat(store.latest(ws)).isEmpty();
        assertThat(store.versions(ws)).isEmpty();
    }

    @Test
    void each_changed_source_is_the_next_version_and_the_same_source_again_is_not() {
        String ws = workspace();

        var first = store.apply(ws, "name: p\ndefault: allow\n", "d1");
        var second = store.apply(ws, "name: p\ndefault: deny\n", "d2");
        var again = store.apply(ws, "name: p\ndefault: deny\n", "d2");

        assertThat(first.created()).isTrue();
        assertThat(first.version()).isEqualTo(new PolicyVersion(ws, 1, "name: p\ndefault: allow\n", "d1", NOW));
        assertThat(second.created()).isTrue();
        assertThat(second.version().version()).isEqualTo(2);
        assertThat(again).isEqualTo(new PolicyStore.Applied(second.version(), false));
        assertThat(store.latestVersion(ws)).isEqualTo(2);
        assertThat(store.latest(ws)).contains(second.version());
        assertThat(store.version(ws, 1)).contains(first.version());
        assertThat(store.version(ws, 3)).isEmpty();
        assertThat(store.versions(ws)).extracting(PolicyVersion::version).containsExactly(2, 1);
    }

    @Test
    void going_back_to_an_earlier_source_is_a_new_version() {
        String ws = workspace();
        store.apply(ws, "a", "da");
        store.apply(ws, "b", "db");

        var back = store.apply(ws, "a", "da");

        assertThat(back.created()).isTrue();
        assertThat(back.version().version()).isEqualTo(3);
    }

    @Test
    void workspaces_number_their_versions_apart() {
        String one = workspace();
        String other = workspace();
        store.apply(one, "a", "da");
        store.apply(one, "b", "db");

        assertThat(store.apply(other, "a", "da").version().version()).isEqualTo(1);
        assertThat(store.versions(other)).hasSize(1);
    }

    @Test
    void applying_in_an_unknown_workspace_is_not_found_and_stores_nothing() {
        assertThatThrownBy(() -> store.apply("nowhere", "a", "da")).isInstanceOf(NotFound.class)
                .hasMessage("no workspace 'nowhere'");
        assertThat(store.latestVersion("nowhere")).isZero();
    }

    @Test
    void concurrent_applies_of_different_sources_each_get_a_version_of_their_own() throws Exception {
        String ws = workspace();
        int writers = 8;
        var barrier = new CyclicBarrier(writers);
        var pool = Executors.newFixedThreadPool(writers);
        try {
            var results = new ArrayList<Future<PolicyStore.Applied>>();
            for (int i = 0; i < writers; i++) {
                String source = "source " + i;
                results.add(pool.submit(() -> {
                    barrier.await();
                    return store.apply(ws, source, "digest " + source);
                }));
            }
            var versions = new ArrayList<Integer>();
            for (var result : results) {
                versions.add(result.get().version().version());
            }

            assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        } finally {
            pool.shutdownNow();
        }
    }
}
