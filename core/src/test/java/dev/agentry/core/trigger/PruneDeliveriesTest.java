package dev.agentry.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PruneDeliveriesTest {
    static final Instant NOW = Instant.parse("2025-06-08T12:00:00Z");

    /** Holds only a count of old deliveries, and what each prune asked for. */
    static final class OldDeliveries implements TriggerStore {
        int left;
        final List<Instant> asked = new ArrayList<>();

        OldDeliveries(int left) {
            this.left = left;
        }

        @Override
        public int pruneDeliveries(Instant before, int limit) {
            asked.add(before);
            int n = Math.min(left, limit);
            left -= n;
            return n;
        }

        @Override public Trigger save(Trigger trigger) { throw new UnsupportedOperationException(); }
        @Override public Optional<Trigger> get(String workspace, String name) { throw new UnsupportedOperationException(); }
        @Override public List<Trigger> list(String workspace) { throw new UnsupportedOperationException(); }
        @Override public boolean delete(String workspace, String name) { throw new UnsupportedOperationException(); }
        @Override public Optional<Long> deliveredRun(String w, String t, String d) { throw new UnsupportedOperationException(); }
        @Override public boolean recordDelivery(String w, String t, String d, long r, Instant at) { throw new UnsupportedOperationException(); }
    }

    @Test
    void one_round_forgets_every_delivery_older_than_the_retention_a_batch_at_a_time() {
        var store = new OldDeliveries(2_500);
        var prune = new PruneDeliveries(store, PruneDeliveries.DEFAULT_RETENTION, Duration.ofMinutes(10), Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(prune.pruneNow()).isEqualTo(2_500);
        assertThat(store.left).isZero();
        assertThat(store.asked).hasSize(3).containsOnly(Instant.parse("2025-06-01T12:00:00Z"));
    }

    @Test
    void a_round_with_nothing_to_forget_asks_once() {
        var store = new OldDeliveries(0);

        new PruneDeliveries(store, Duration.ofDays(1), Duration.ofMinutes(10), Clock.fixed(NOW, ZoneOffset.UTC)).pruneNow();

        assertThat(store.asked).containsExactly(NOW.minus(Duration.ofDays(1)));
    }
}
