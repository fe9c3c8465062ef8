package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.trigger.Trigger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Webhook triggers and their deliveries on a real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresTriggersTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    Database db;
    PostgresTriggers store;

    @BeforeAll
    void open() {
        db = TestDatabase.fresh();
        store = new PostgresTriggers(db);
    }

    @AfterAll
    void close() {
        db.close();
    }

    static Trigger trigger(String name, Instant createdAt) {
        var inputs = new LinkedHashMap<String, String>();
        inputs.put("task", "$.issue.title");
        inputs.put("number", "#{{ $.issue.number }}");
        inputs.put("base", "main");
        return new Trigger("default", name, "fix-issue", Trigger.Format.GITHUB, "hook-secret", inputs,
                List.of("issues.opened", "push"), null, true, createdAt);
    }

    @Test
    void a_saved_trigger_reads_back_as_it_was_with_its_inputs_in_order() {
        store.save(trigger("issues", T0));

        var read = store.get("default", "issues").orElseThrow();

        assertThat(read).isEqualTo(trigger("issues", T0));
        assertThat(read.inputs().keySet()).containsExactly("task", "number", "base");
        assertThat(store.get("default", "nope")).isEmpty();
    }

    @Test
    void saving_a_trigger_again_replaces_it_but_keeps_when_it_was_created() {
        store.save(trigger("replaced", T0));
        var changed = new Trigger("default", "replaced", "other", Trigger.Format.GENERIC, "s2", Map.of("x", "$.x"),
                List.of(), "repo", false, T0.plus(1, ChronoUnit.DAYS));

        var saved = store.save(changed);

        assertThat(saved.createdAt()).isEqualTo(T0);
        assertThat(saved.pipeline()).isEqualTo("other");
        assertThat(saved.format()).isEqualTo(Trigger.Format.GENERIC);
        assertThat(saved.events()).isEmpty();
        assertThat(saved.repository()).isEqualTo("repo");
        assertThat(saved.enabled()).isFalse();
        assertThat(store.get("default", "replaced")).contains(saved);
    }

    @Test
    void a_delivery_is_recorded_once_and_answers_with_its_run() {
        store.save(trigger("dedup", T0));

        assertThat(store.deliveredRun("default", "dedup", "d-1")).isEmpty();
        assertThat(store.recordDelivery("default", "dedup", "d-1", 17, T0)).isTrue();
        assertThat(store.recordDelivery("default", "dedup", "d-1", 18, T0)).isFalse();
        assertThat(store.deliveredRun("default", "dedup", "d-1")).contains(17L);
        assertThat(store.deliveredRun("default", "other", "d-1")).isEmpty();
    }

    @Test
    void a_delivery_for_a_trigger_removed_meanwhile_is_not_recorded() {
        assertThat(store.recordDelivery("default", "never-saved", "d-1", 1, T0)).isFalse();
    }

    @Test
    void removing_a_trigger_forgets_its_deliveries() {
        store.save(trigger("removed", T0));
        store.recordDelivery("default", "removed", "d-1", 5, T0);

        assertThat(store.delete("default", "removed")).isTrue();
        assertThat(store.delete("default", "removed")).isFalse();
        assertThat(store.get("default", "removed")).isEmpty();
        store.save(trigger("removed", T0));
        assertThat(store.deliveredRun("default", "removed", "d-1")).isEmpty();
    }

    @Test
    void pruning_forgets_only_deliveries_received_before_the_moment_in_batches() {
        store.save(trigger("pruned", T0));
        Instant old = Instant.parse("2000-01-01T00:00:00Z");
        for (int i = 0; i < 3; i++) {
            store.recordDelivery("default", "pruned", "old-" + i, i, old.plusSeconds(i));
        }
        store.recordDelivery("default", "pruned", "new", 9, T0);

        assertThat(store.pruneDeliveries(old.plusSeconds(60), 2)).isEqualTo(2);
        assertThat(store.pruneDeliveries(old.plusSeconds(60), 2)).isEqualTo(1);
        assertThat(store.pruneDeliveries(old.plusSeconds(60), 2)).isZero();
        assertThat(store.deliveredRun("default", "pruned", "old-2")).isEmpty();
        assertThat(store.deliveredRun("default", "pruned", "new")).contains(9L);
    }

    @Test
    void triggers_are_listed_by_name() {
        store.save(trigger("zz-last", T0));
        store.save(trigger("aa-first", T0));

        var names = store.list("default").stream().map(Trigger::name).toList();

        assertThat(names).isSorted().contains("aa-first", "zz-last");
    }
}
