package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens when a claim changes a step between an engine transaction's read and its write. */
class RunStoreConcurrencyTest {
    @TempDir Path work;
    EngineHarness h;

    @BeforeEach
    void start() {
        h = new EngineHarness(work);
        h.node.stop(Duration.ZERO); // this test claims by hand
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void a_cancel_that_read_a_step_as_ready_while_a_node_claimed_it_starts_over_and_cancels_the_claimed_attempt() {
        long run = h.start("{name: race, steps: [{id: a, kind: command, run: 'true'}]}", Map.of());
        var passes = new AtomicInteger();
        h.runs.transact(tx -> {
            var state = tx.lock(List.of(run)).get(run);
            if (passes.incrementAndGet() == 1) {
                // Between this transaction's read (a is ready) and its write, another node claims a.
                var now = Instant.now();
                assertThat(h.runs.claim("other-node", EngineHarness.LOCAL, 10, now, now.plusSeconds(30))).hasSize(1);
            }
            state.cancel(Instant.now(), "canceled");
            return null;
        });

        assertThat(passes.get()).as("the transaction ran again after the conflict").isEqualTo(2);
        assertThat(h.status(run)).isEqualTo("canceled");
        var attempts = h.queries.attempts("default", run, "a");
        assertThat(attempts).extracting(a -> a.status()).containsExactly("canceled");
        assertThat(attempts.get(0).node()).isEqualTo("other-node");

        // The first pass wrote its events before the conflict was noticed; they went with its rollback.
        var log = new PostgresEventLog(h.db, new dev.agentry.core.engine.Signals(), java.time.Clock.systemUTC());
        log.sequence(1_000);
        var types = log.forRun("default", run, null, new dev.agentry.core.event.EventFilter(null, null, List.of()), 0, 100)
                .stream().map(dev.agentry.core.event.LoggedEvent::type).toList();
        assertThat(types).containsOnlyOnce("run.canceled", "step.canceled");
        assertThat(types).containsSubsequence("step.started", "step.canceled", "run.canceled");
    }
}
