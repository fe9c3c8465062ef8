package dev.agentry.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExternalWritesTest {
    final FakeAuditLog audit = new FakeAuditLog();
    final ExternalWrites writes = new ExternalWrites(audit);
    final AuditEntry push = AuditEntry.byStep("git-push", "shop", 12, "push", "repo shop branch agentry/12-x",
            Map.of("commit", "4f2a9c1"));

    @Test
    void when_the_audit_log_cannot_record_the_write_is_never_run_and_the_refusal_says_what_was_not_done() {
        audit.failWith(new AuditUnavailable("connection refused", null));
        var ran = new AtomicBoolean();

        assertThatThrownBy(() -> writes.perform(push, () -> {
            ran.set(true);
            return "pushed";
        }))
                .isInstanceOf(WriteRefused.class)
                .hasMessage("audit log unavailable: connection refused; git-push on repo shop branch agentry/12-x was not done")
                .hasCauseInstanceOf(AuditUnavailable.class)
                .satisfies(e -> assertThat(((WriteRefused) e).intent()).isEqualTo(push));
        assertThat(ran).isFalse();
        assertThat(audit.records()).isEmpty();
    }

    @Test
    void any_failure_of_the_append_refuses_the_write_even_one_the_log_did_not_name_unavailable() {
        audit.failWith(new IllegalStateException());
        var ran = new AtomicBoolean();

        assertThatThrownBy(() -> writes.perform(push, () -> ran.getAndSet(true)))
                .isInstanceOf(WriteRefused.class)
                .hasMessageStartingWith("audit log unavailable: IllegalStateException; git-push on");
        assertThat(ran).isFalse();
    }

    @Test
    void the_intent_is_in_the_log_before_the_write_runs() {
        String result = writes.perform(push, () -> {
            assertThat(audit.list("shop", 0, 10)).singleElement().satisfies(r -> assertThat(r.entry()).isEqualTo(push));
            return "pushed";
        });

        assertThat(result).isEqualTo("pushed");
    }

    @Test
    void a_write_that_succeeds_is_followed_by_its_done_entry_naming_the_intent_and_what_the_caller_adds() {
        var open = AuditEntry.byStep("pr-open", "shop", 12, "open", "repo shop head agentry/12-x", Map.of());

        int number = writes.perform(open, () -> 3, n -> Map.of("number", Integer.toString(n)));

        assertThat(number).isEqualTo(3);
        assertThat(audit.records()).extracting(r -> r.entry().action()).containsExactly("pr-open", "pr-open-done");
        var done = audit.records().get(1).entry();
        assertThat(done.detail()).containsExactlyInAnyOrderEntriesOf(Map.of("intent", "1", "number", "3"));
        assertThat(done.actor()).isEqualTo("run:12/open");
        assertThat(done.target()).isEqualTo(open.target());
        assertThat(done.runId()).isEqualTo(12L);
    }

    @Test
    void a_write_that_fails_rethrows_its_own_exception_after_a_failed_entry_without_the_message() {
        assertThatThrownBy(() -> writes.perform(push, () -> {
            throw new IOException("https://x-token:ghp_secret@forge/shop.git rejected");
        })).isInstanceOf(IOException.class).hasMessageContaining("rejected");

        assertThat(audit.records()).extracting(r -> r.entry().action()).containsExactly("git-push", "git-push-failed");
        assertThat(audit.records().get(1).entry().detail()).isEqualTo(Map.of("error", "IOException", "intent", "1"));
        assertThat(audit.records().get(1).entry().detail().values()).noneMatch(v -> v.contains("secret"));
    }

    @Test
    void an_outcome_that_cannot_be_recorded_does_not_undo_the_write_or_hide_its_result() {
        audit.failAfter(1, new AuditUnavailable("gone", null));
        var ran = new AtomicBoolean();

        String result = writes.perform(push, () -> {
            ran.set(true);
            return "pushed";
        });

        assertThat(ran).isTrue();
        assertThat(result).isEqualTo("pushed");
        assertThat(audit.records()).extracting(r -> r.entry().action()).containsExactly("git-push");
    }

    @Test
    void an_outcome_action_cannot_be_performed_as_an_intent() {
        var ran = new AtomicBoolean();
        var done = AuditEntry.of("git-push-done", "shop", "alice", "repo shop", Map.of());

        assertThatThrownBy(() -> writes.perform(done, () -> ran.getAndSet(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names an outcome");
        assertThat(ran).isFalse();
        assertThat(audit.records()).isEmpty();
    }
}
