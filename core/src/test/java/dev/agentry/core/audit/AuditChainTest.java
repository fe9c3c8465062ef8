package dev.agentry.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditChainTest {
    static final Instant AT = Instant.parse("2026-03-01T10:15:30.123456Z");
    final AuditEntry entry = AuditEntry.of("pr-merge", "shop", "alice", "pr shop#3", Map.of("method", "squash"));

    @Test
    void the_hash_is_sha256_of_the_previous_hash_and_the_length_prefixed_fields_as_documented() throws Exception {
        var expected = new java.io.ByteArrayOutputStream();
        expected.writeBytes(new byte[32]);
        for (String field : new String[] {"1", "1772360130123456", "shop", "pr-merge", "alice", "pr shop#3",
                "{\"method\":\"squash\"}"}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            expected.writeBytes(new byte[] {0, 0, 0, (byte) bytes.length});
            expected.writeBytes(bytes);
        }
        expected.writeBytes(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}); // no run, no step
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(expected.toByteArray());

        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, entry)).isEqualTo(sha);
    }

    @Test
    void every_field_and_the_previous_hash_change_the_hash() {
        byte[] base = AuditChain.hash(AuditChain.genesis(), 1, AT, entry);
        byte[] otherPrev = AuditChain.genesis();
        otherPrev[31] = 1;

        assertThat(AuditChain.hash(otherPrev, 1, AT, entry)).isNotEqualTo(base);
        assertThat(AuditChain.hash(AuditChain.genesis(), 2, AT, entry)).isNotEqualTo(base);
        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT.plusNanos(1000), entry)).isNotEqualTo(base);
        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, entry.as("pr-open", entry.detail()))).isNotEqualTo(base);
        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, entry.as("pr-merge", Map.of("method", "rebase")))).isNotEqualTo(base);
        var inRun = new AuditEntry("pr-merge", "shop", "alice", "pr shop#3", Map.of("method", "squash"), 7L, null);
        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, inRun)).isNotEqualTo(base);
    }

    @Test
    void field_boundaries_cannot_be_moved_without_changing_the_hash() {
        var a = AuditEntry.of("git-push", "ab", "c", "t", Map.of());
        var b = AuditEntry.of("git-push", "a", "bc", "t", Map.of());

        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, a)).isNotEqualTo(AuditChain.hash(AuditChain.genesis(), 1, AT, b));
    }

    @Test
    void detail_is_hashed_the_same_whatever_order_its_map_was_built_in() {
        var one = new LinkedHashMap<String, String>();
        one.put("b", "2");
        one.put("a", "1");
        var two = new LinkedHashMap<String, String>();
        two.put("a", "1");
        two.put("b", "2");

        assertThat(AuditChain.hash(AuditChain.genesis(), 1, AT, entry.as("x", one)))
                .isEqualTo(AuditChain.hash(AuditChain.genesis(), 1, AT, entry.as("x", two)));
    }

    @Test
    void canonical_json_sorts_keys_by_utf16_units_and_escapes_only_what_rfc_8785_escapes() {
        var detail = Map.of("z", "\"quoted\" \\ back", "a", "tab\there\nline\u0001", "é", "ünïcode €", "\uD83D\uDE00", "emoji");

        assertThat(AuditChain.canonicalJson(detail)).isEqualTo(
                "{\"a\":\"tab\\there\\nline\\u0001\",\"z\":\"\\\"quoted\\\" \\\\ back\",\"é\":\"ünïcode €\",\"\uD83D\uDE00\":\"emoji\"}");
        assertThat(AuditChain.canonicalJson(Map.of())).isEqualTo("{}");
    }

    @Test
    void times_are_hashed_to_the_microsecond_the_log_stores() {
        assertThat(AuditChain.micros(Instant.parse("1970-01-01T00:00:01.000002999Z"))).isEqualTo(1_000_002);
        assertThat(AuditChain.micros(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo(-500_000);
        assertThat(HexFormat.of().parseHex(AuditChain.hex(AuditChain.genesis()))).hasSize(32).containsOnly(0);
    }

    @Test
    void an_entry_refuses_what_the_log_could_not_store_or_hash_faithfully() {
        assertThatThrownBy(() -> AuditEntry.of("Git Push", "shop", "a", "t", Map.of())).hasMessageContaining("kebab word");
        assertThatThrownBy(() -> AuditEntry.of("git-push", " ", "a", "t", Map.of())).hasMessageContaining("workspace must not be empty");
        assertThatThrownBy(() -> AuditEntry.of("git-push", "shop", "a\0", "t", Map.of())).hasMessageContaining("NUL");
        assertThatThrownBy(() -> AuditEntry.of("git-push", "shop", "a", "t", Map.of("k", "\uD800"))).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> new AuditEntry("git-push", "shop", "a", "t", Map.of(), null, "push")).hasMessageContaining("needs the runId");
        assertThat(AuditEntry.byStep("git-push", "shop", 12, "push", "t", null).actor()).isEqualTo("run:12/push");
    }
}
