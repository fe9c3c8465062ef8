package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.core.engine.ResumePausedRuns;
import dev.agentry.core.engine.SpendLedger;
import dev.agentry.core.spend.Admission;
import dev.agentry.core.spend.Budget;
import dev.agentry.core.spend.BudgetScope;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.MeteredCall;
import dev.agentry.core.spend.Price;
import dev.agentry.core.spend.Prices;
import dev.agentry.core.spend.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendLedgerTest {
    @TempDir
    Path work;
    EngineHarness h;
    PostgresSpend store;
    SpendLedger ledger;
    final Instant[] now = {Instant.parse("2026-11-20T10:00:00Z")};

    @BeforeEach
    void setUp() {
        h = new EngineHarness(work);
        store = new PostgresSpend(h.db, h.signals, Clock.systemUTC());
        var budgetClock = new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return now[0]; }
        };
        // a dollar per million input tokens, ten per million output tokens
        ledger = new SpendLedger(store, new Prices(Map.of("test-model", Price.of("1", "10", "0.1", "1.25"))), h.engine, budgetClock);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private long runningRun() {
        long id = h.start("""
                name: waits
                steps:
                  - id: nap
                    kind: sleep
                    duration: 1h
                """, Map.of());
        await().until(() -> h.status(id).equals("running"));
        return id;
    }

    private static CallScope scope(long run) {
        return new CallScope(run, "code", run + ":code:1", "default", null, "anthropic");
    }

    private MeteredCall call(long run, List<String> prompt, Usage usage) {
        return new MeteredCall(scope(run), "anthropic", "test-model", usage, Duration.ofMillis(5), 200, prompt, "{\"reply\":1}");
    }

    @Test
    void a_twenty_turn_conversation_stores_each_message_once_and_rebuilds_exactly() {
        long run = runningRun();
        var prompt = new ArrayList<String>();
        prompt.add("{\"system\":\"you are a coder\",\"tools\":[]}");
        long last = 0;
        for (int turn = 1; turn <= 20; turn++) {
            prompt.add("{\"role\":\"user\",\"content\":\"turn " + turn + " " + "x".repeat(200) + "\"}");
            last = ledger.record(call(run, prompt, new Usage(100, 10, 0, 0)));
            prompt.add("{\"role\":\"assistant\",\"content\":\"reply " + turn + "\"}");
        }
        prompt.remove(prompt.size() - 1); // the last reply was never sent
        var stored = store.stored(run);
        // 1 head + 20 user messages + 19 replies sent back: linear, where storing each prompt whole would keep 420 items
        assertThat(stored.items()).isEqualTo(40);
        assertThat(store.prompt(run, last)).contains(prompt);
        assertThat(store.prompt(run + 1, last)).isEmpty();
        assertThat(store.calls(run, 100)).hasSize(20).allSatisfy(c -> assertThat(c.costUsd()).isEqualByComparingTo("0.0002"));
    }

    @Test
    void a_spent_account_budget_pauses_the_run_refuses_calls_and_a_raised_cap_resumes_it() {
        long run = runningRun();
        ledger.setBudget(new Budget(BudgetScope.account("default"), new BigDecimal("1.00"), null));
        assertThat(ledger.admit(scope(run))).isInstanceOf(Admission.Admitted.class);

        ledger.record(call(run, List.of("{}"), new Usage(850_000, 0, 0, 0)));
        assertThat(h.status(run)).isEqualTo("running");
        assertThat(events(run, "budget.warning")).isEqualTo(1);

        ledger.record(call(run, List.of("{}"), new Usage(200_000, 0, 0, 0)));
        assertThat(h.status(run)).isEqualTo("paused");
        assertThat(ledger.admit(scope(run))).isInstanceOf(Admission.Refused.class)
                .extracting(r -> ((Admission.Refused) r).reason()).asString().contains("account budget of default is spent");
        assertThat(events(run, "budget.warning")).as("warned once a period").isEqualTo(1);

        var resume = new ResumePausedRuns(store, ledger, h.engine, Duration.ofHours(1));
        resume.resumeAllowed();
        assertThat(h.status(run)).isEqualTo("paused");
        ledger.setBudget(new Budget(BudgetScope.account("default"), new BigDecimal("5.00"), null));
        resume.resumeAllowed();
        assertThat(h.status(run)).isEqualTo("running");
        assertThat(ledger.admit(scope(run))).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void a_run_paused_by_the_monthly_budget_resumes_when_the_month_rolls_over() {
        long run = runningRun();
        ledger.setBudget(new Budget(BudgetScope.workspace("default"), new BigDecimal("0.50"), null));
        ledger.record(call(run, List.of("{}"), new Usage(600_000, 0, 0, 0)));
        assertThat(h.status(run)).isEqualTo("paused");
        var resume = new ResumePausedRuns(store, ledger, h.engine, Duration.ofHours(1));
        now[0] = Instant.parse("2026-11-30T23:59:59Z");
        resume.resumeAllowed();
        assertThat(h.status(run)).isEqualTo("paused");
        now[0] = Instant.parse("2026-12-01T00:00:00Z");
        resume.resumeAllowed();
        assertThat(h.status(run)).isEqualTo("running");
    }

    @Test
    void a_run_budget_holds_only_its_run_and_an_override_lets_it_spend() {
        long capped = runningRun();
        long other = runningRun();
        ledger.setBudget(new Budget(BudgetScope.run(capped), new BigDecimal("0.10"), null));
        ledger.record(call(capped, List.of("{}"), new Usage(200_000, 0, 0, 0)));
        assertThat(h.status(capped)).isEqualTo("paused");
        assertThat(h.status(other)).isEqualTo("running");
        assertThat(ledger.admit(scope(other))).isInstanceOf(Admission.Admitted.class);

        ledger.setBudget(new Budget(BudgetScope.run(capped), new BigDecimal("0.10"), now[0].plus(Duration.ofHours(1))));
        new ResumePausedRuns(store, ledger, h.engine, Duration.ofHours(1)).resumeAllowed();
        assertThat(h.status(capped)).isEqualTo("running");
        assertThat(ledger.admit(scope(capped))).isInstanceOf(Admission.Admitted.class);
    }

    private long events(long run, String type) {
        return h.db.read(c -> {
            try (var ps = c.prepareStatement("SELECT count(*) FROM event WHERE type = ?")) {
                ps.setString(1, type);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
