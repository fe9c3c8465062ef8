package dev.agentry.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.run.StepOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompleterTest {
    private static StepOutcome succeeded(long run) {
        return StepOutcome.succeeded(new StepOutcome.StepRef(run, "a", 1, "n"), Map.of(), 0, "log of " + run);
    }

    /** Runs the completer until {@code expected} outcomes were released, then stops it. */
    private static List<StepOutcome> drive(Completer.Writer store, List<StepOutcome> outcomes) throws Exception {
        var released = new CopyOnWriteArrayList<StepOutcome>();
        var completer = new Completer(store, released::addAll);
        outcomes.forEach(completer::submit);
        var thread = Thread.ofPlatform().start(completer);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (released.size() < outcomes.size() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        completer.stop();
        thread.join(2_000);
        return released;
    }

    @Test
    void an_outcome_the_store_refuses_does_not_hold_back_the_others_and_is_recorded_as_a_failure() throws Exception {
        var written = new CopyOnWriteArrayList<StepOutcome>();
        Completer.Writer store = outcomes -> {
            if (outcomes.stream().anyMatch(o -> o.runId() == 2 && o instanceof StepOutcome.Succeeded)) {
                throw new RunStore.Unrecordable("value too long", null);
            }
            written.addAll(outcomes);
            return outcomes.size();
        };
        var released = drive(store, List.of(succeeded(1), succeeded(2), succeeded(3)));

        assertThat(released).hasSize(3);
        assertThat(written).filteredOn(o -> o instanceof StepOutcome.Succeeded).extracting(StepOutcome::runId).containsExactly(1L, 3L);
        assertThat(written).filteredOn(o -> o.runId() == 2).singleElement()
                .isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.error()).contains("could not be recorded: value too long"));
    }

    @Test
    void an_outcome_the_state_machine_refuses_is_recorded_as_a_failure_instead_of_retried_forever() throws Exception {
        var written = new CopyOnWriteArrayList<StepOutcome>();
        Completer.Writer store = outcomes -> {
            if (outcomes.stream().anyMatch(o -> o.runId() == 2 && o instanceof StepOutcome.Succeeded)) {
                throw new dev.agentry.core.run.IllegalTransition("step a cannot move from RUNNING to WAITING");
            }
            written.addAll(outcomes);
            return outcomes.size();
        };
        var released = drive(store, List.of(succeeded(1), succeeded(2), succeeded(3)));

        assertThat(released).as("the others are not held back").hasSize(3);
        assertThat(written).filteredOn(o -> o.runId() == 2).singleElement()
                .isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.error()).contains("cannot move from RUNNING to WAITING"));
    }

    @Test
    void a_passing_failure_keeps_the_batch_and_writes_it_once_the_store_is_back() throws Exception {
        var calls = new AtomicInteger();
        var written = new CopyOnWriteArrayList<StepOutcome>();
        Completer.Writer store = outcomes -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("connection refused");
            }
            written.addAll(outcomes);
            return outcomes.size();
        };
        var released = drive(store, List.of(succeeded(7)));

        assertThat(calls.get()).isEqualTo(3);
        assertThat(released).hasSize(1);
        assertThat(written).extracting(StepOutcome::runId).containsExactly(7L);
    }
}
