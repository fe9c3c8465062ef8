package dev.agentry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.secret.Exchange;
import dev.agentry.core.secret.InvalidSecret;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.core.secret.SecretUnreadable;
import dev.agentry.postgres.vault.MasterKey;
import dev.agentry.postgres.vault.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The vault on real PostgreSQL: encryption at rest, rotation, and single-use leases. */
class PostgresVaultTest {
    static final String WS = "default";
    static final MasterKey FIRST = MasterKey.fromBase64(MasterKey.generate(), "test key");
    static Database db;

    final PostgresVault vault = new PostgresVault(db, MasterKeys.of(FIRST), Clock.systemUTC());

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static void sql(String statement, Object... values) {
        db.read(c -> {
            try (var ps = c.prepareStatement(statement)) {
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                return ps.execute();
            }
        });
    }

    static List<byte[]> bytes(String query) {
        return db.read(c -> {
            var out = new ArrayList<byte[]>();
            try (var ps = c.prepareStatement(query); var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
            return out;
        });
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void a_secret_round_trips_and_its_version_counts_its_values() {
        var first = vault.put(WS, null, "ROUND_TRIP", "value-one");
        var second = vault.put(WS, "github", "ROUND_TRIP", "value-two".toCharArray());

        assertThat(first.version()).isEqualTo(1);
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.integration()).isEqualTo("github");
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(second.updatedAt()).isAfterOrEqualTo(first.updatedAt());
        assertThat(vault.reveal(WS, "ROUND_TRIP")).hasValue("value-two");
        assertThat(vault.find(WS, "ROUND_TRIP")).hasValue(second);
        assertThat(vault.list(WS)).contains(second);
        assertThat(vault.reveal(WS, "NEVER_SET")).isEmpty();

        assertThat(vault.delete(WS, "ROUND_TRIP")).isTrue();
        assertThat(vault.delete(WS, "ROUND_TRIP")).isFalse();
        assertThat(vault.reveal(WS, "ROUND_TRIP")).isEmpty();
    }

    @Test
    void the_database_holds_no_plaintext_of_a_secret_nor_a_lease_token() {
        String canary = "canary-7f3e9d1c-plaintext";
        vault.put(WS, null, "CANARY", canary);
        var lease = vault.lease(new LeaseRequest(WS, "CANARY", 1, "step", Duration.ofMinutes(5)));
        byte[] canaryBytes = canary.getBytes(StandardCharsets.UTF_8);
        String canaryHex = HexFormat.of().formatHex(canaryBytes);

        // Every column of every row, as PostgreSQL prints it (bytea as hex), and the raw bytes of the byte columns.
        List<byte[]> rows = new ArrayList<>(bytes("SELECT convert_to(s::text, 'UTF8') FROM secret s"));
        rows.addAll(bytes("SELECT convert_to(l::text, 'UTF8') FROM secret_lease l"));
        rows.addAll(bytes("SELECT ciphertext FROM secret"));
        rows.addAll(bytes("SELECT wrapped_key FROM secret"));
        // And the table's files on disk, once written out.
        sql("CHECKPOINT");
        byte[] heap = bytes("SELECT pg_read_binary_file(pg_relation_filepath('secret'))").get(0);
        assertThat(contains(heap, "CANARY".getBytes(StandardCharsets.US_ASCII))).as("the scan sees the row's name").isTrue();
        rows.add(heap);
        rows.addAll(bytes("SELECT pg_read_binary_file(pg_relation_filepath('secret_lease'))"));

        assertThat(rows.size()).as("rows and files scanned").isGreaterThanOrEqualTo(6);
        for (byte[] row : rows) {
            assertThat(contains(row, canaryBytes)).isFalse();
            assertThat(contains(row, canaryHex.getBytes(StandardCharsets.US_ASCII))).isFalse();
            assertThat(contains(row, lease.token().getBytes(StandardCharsets.US_ASCII))).isFalse();
        }
        assertThat(vault.reveal(WS, "CANARY")).hasValue(canary);
    }

    @Test
    void a_ciphertext_and_data_key_copied_onto_another_row_do_not_decrypt_there() {
        vault.put(WS, null, "ORIGINAL", "the-original-value");
        vault.put(WS, null, "TARGET", "the-target-value");

        sql("UPDATE secret t SET ciphertext = o.ciphertext, wrapped_key = o.wrapped_key, master_key_id = o.master_key_id "
                + "FROM secret o WHERE o.name = 'ORIGINAL' AND t.name = 'TARGET'");

        assertThatThrownBy(() -> vault.reveal(WS, "TARGET"))
                .isInstanceOf(SecretUnreadable.class)
                .hasMessageContaining("does not unwrap")
                .hasMessageContaining("copied from another secret")
                .hasMessageNotContaining("the-original-value");
        assertThat(vault.reveal(WS, "ORIGINAL")).hasValue("the-original-value");
    }

    @Test
    void a_ciphertext_alone_copied_onto_another_row_does_not_decrypt_there() {
        vault.put(WS, null, "SOURCE", "the-source-value");
        vault.put(WS, null, "VICTIM", "the-victim-value");

        sql("UPDATE secret t SET ciphertext = o.ciphertext FROM secret o WHERE o.name = 'SOURCE' AND t.name = 'VICTIM'");

        assertThatThrownBy(() -> vault.reveal(WS, "VICTIM"))
                .isInstanceOf(SecretUnreadable.class)
                .hasMessageContaining("cannot be decrypted")
                .hasMessageNotContaining("the-source-value");
    }

    @Test
    void a_secret_under_a_master_key_the_node_does_not_hold_is_refused_with_the_keys_named() {
        vault.put(WS, null, "UNDER_FIRST", "first-key-value");
        var stranger = MasterKey.fromBase64(MasterKey.generate(), "test key");
        var elsewhere = new PostgresVault(db, MasterKeys.of(stranger), Clock.systemUTC());

        assertThatThrownBy(() -> elsewhere.reveal(WS, "UNDER_FIRST"))
                .isInstanceOf(SecretUnreadable.class)
                .hasMessageContaining(FIRST.id())
                .hasMessageContaining("does not hold")
                .hasMessageContaining(stranger.id());
        assertThat(elsewhere.missingMasterKeys()).contains(FIRST.id());
        assertThat(vault.missingMasterKeys()).doesNotContain(FIRST.id());
    }

    @Test
    void a_rotation_rewraps_every_data_key_in_batches_while_old_and_new_keys_both_read() throws Exception {
        var fresh = TestDatabase.fresh();
        try {
            var old = MasterKey.fromBase64(MasterKey.generate(), "old key");
            var next = MasterKey.fromBase64(MasterKey.generate(), "new key");
            var before = new PostgresVault(fresh, MasterKeys.of(old), Clock.systemUTC());
            int n = 120;
            for (int i = 0; i < n; i++) {
                before.put(WS, null, "S" + i, "value-" + i);
            }
            byte[] ciphertextBefore = ciphertext(fresh, "S7");

            var during = new PostgresVault(fresh, MasterKeys.of(old).rotatedTo(next), Clock.systemUTC());
            during.put(WS, null, "WRITTEN_DURING", "new-key-value");
            assertThat(during.dataKeysByMasterKey()).isEqualTo(Map.of(old.id(), (long) n, next.id(), 1L));
            // Both keys read while both are held.
            assertThat(during.reveal(WS, "S0")).hasValue("value-0");
            assertThat(during.reveal(WS, "WRITTEN_DURING")).hasValue("new-key-value");
            assertThatThrownBy(during::dropPreviousMasterKey).hasMessageContaining(n + " secrets are still wrapped under master key " + old.id());

            // Readers keep reading every secret while the rotation runs.
            var failures = new CopyOnWriteArrayList<Throwable>();
            var stop = new AtomicBoolean();
            int[] reads = {0};
            Thread reader = Thread.ofPlatform().start(() -> {
                int i = 0;
                while (!stop.get()) {
                    try {
                        assertThat(during.reveal(WS, "S" + (i % n))).hasValue("value-" + (i % n));
                        reads[0]++;
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                    i++;
                }
            });
            var rotation = during.rotateMasterKey(25);
            stop.set(true);
            reader.join();

            assertThat(failures).isEmpty();
            assertThat(reads[0]).isPositive();
            assertThat(rotation.masterKeyId()).isEqualTo(next.id());
            assertThat(rotation.rewrapped()).isEqualTo(n);
            assertThat(rotation.complete()).isTrue();
            assertThat(during.dataKeysByMasterKey()).isEqualTo(Map.of(next.id(), (long) n + 1));
            assertThat(ciphertext(fresh, "S7")).as("a rotation re-wraps data keys, not values").isEqualTo(ciphertextBefore);

            // The old key can go: a node holding the new key alone reads everything.
            assertThat(during.dropPreviousMasterKey().previous()).isNull();
            var after = new PostgresVault(fresh, MasterKeys.of(next), Clock.systemUTC());
            for (int i = 0; i < n; i++) {
                assertThat(after.reveal(WS, "S" + i)).hasValue("value-" + i);
            }
            assertThat(after.missingMasterKeys()).isEmpty();
            assertThatThrownBy(() -> before.reveal(WS, "S0")).isInstanceOf(SecretUnreadable.class).hasMessageContaining(next.id());
            assertThat(after.rotateMasterKey(25).rewrapped()).as("a second run has nothing to do").isZero();
        } finally {
            fresh.close();
        }
    }

    @Test
    void rotate_makes_the_new_key_current_and_rewraps_everything_in_one_call() {
        var fresh = TestDatabase.fresh();
        try {
            var old = MasterKey.fromBase64(MasterKey.generate(), "old key");
            var next = MasterKey.fromBase64(MasterKey.generate(), "new key");
            var v = new PostgresVault(fresh, MasterKeys.of(old), Clock.systemUTC());
            v.put(WS, null, "A", "value-a");
            v.put(WS, null, "B", "value-b");

            var rotation = v.rotate(next);

            assertThat(rotation).isEqualTo(new dev.agentry.core.secret.Rotation(next.id(), 2, 0));
            assertThat(v.masterKeys()).isEqualTo(new MasterKeys(next, old));
            assertThat(v.dropPreviousMasterKey()).isEqualTo(MasterKeys.of(next));
            assertThat(v.reveal(WS, "B")).hasValue("value-b");
        } finally {
            fresh.close();
        }
    }

    static byte[] ciphertext(Database on, String name) {
        return on.read(c -> {
            try (var ps = c.prepareStatement("SELECT ciphertext FROM secret WHERE name = ?")) {
                ps.setString(1, name);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
    }

    @Test
    void a_lease_gives_its_value_once_and_a_second_exchange_is_refused() {
        vault.put(WS, null, "LEASED", "leased-value");
        var lease = vault.lease(new LeaseRequest(WS, "LEASED", 42, "deploy", Duration.ofMinutes(5)));
        Instant now = Instant.now();

        var first = vault.exchange(lease.token(), now);
        var second = vault.exchange(lease.token(), now);

        assertThat(first).isInstanceOfSatisfying(Exchange.Revealed.class, r -> {
            assertThat(r.value()).isEqualTo("leased-value");
            assertThat(r.workspace()).isEqualTo(WS);
            assertThat(r.name()).isEqualTo("LEASED");
            assertThat(r.runId()).isEqualTo(42);
            assertThat(r.stepId()).isEqualTo("deploy");
            assertThat(r.toString()).doesNotContain("leased-value");
        });
        assertThat(second).isEqualTo(Exchange.refused(Exchange.Refusal.ALREADY_EXCHANGED));
        assertThat(lease.token()).startsWith("agl_");
        assertThat(lease.toString()).doesNotContain(lease.token());
    }

    @Test
    void an_expired_lease_is_refused_and_stays_unspent() {
        vault.put(WS, null, "SHORT_LIVED", "short-lived-value");
        var lease = vault.lease(new LeaseRequest(WS, "SHORT_LIVED", 1, "s", Duration.ofSeconds(30)));

        assertThat(vault.exchange(lease.token(), lease.expiresAt())).isEqualTo(Exchange.refused(Exchange.Refusal.EXPIRED));
        assertThat(vault.exchange(lease.token(), lease.expiresAt().plusSeconds(60))).isEqualTo(Exchange.refused(Exchange.Refusal.EXPIRED));
        assertThat(vault.pruneLeases(lease.expiresAt().plusSeconds(1))).isPositive();
        assertThat(vault.exchange(lease.token(), lease.expiresAt().plusSeconds(60))).isEqualTo(Exchange.refused(Exchange.Refusal.UNKNOWN));
    }

    @Test
    void an_unknown_or_malformed_token_is_refused_as_unknown() {
        assertThat(vault.exchange("agl_" + "A".repeat(43), Instant.now())).isEqualTo(Exchange.refused(Exchange.Refusal.UNKNOWN));
        assertThat(vault.exchange("not-a-token", Instant.now())).isEqualTo(Exchange.refused(Exchange.Refusal.UNKNOWN));
        assertThat(vault.exchange(null, Instant.now())).isEqualTo(Exchange.refused(Exchange.Refusal.UNKNOWN));
    }

    @Test
    void of_concurrent_exchanges_of_one_token_exactly_one_gets_the_value() throws Exception {
        vault.put(WS, null, "CONTESTED", "contested-value");
        int contenders = 6;
        try (var pool = Executors.newFixedThreadPool(contenders)) {
            for (int round = 0; round < 5; round++) {
                var lease = vault.lease(new LeaseRequest(WS, "CONTESTED", round, "s", Duration.ofMinutes(5)));
                var start = new CountDownLatch(1);
                var results = new ArrayList<Future<Exchange>>();
                for (int i = 0; i < contenders; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return vault.exchange(lease.token(), Instant.now());
                    }));
                }
                start.countDown();
                var outcomes = new ArrayList<Exchange>();
                for (var f : results) {
                    outcomes.add(f.get());
                }
                assertThat(outcomes).filteredOn(e -> e instanceof Exchange.Revealed).hasSize(1);
                assertThat(outcomes).filteredOn(e -> e.equals(Exchange.refused(Exchange.Refusal.ALREADY_EXCHANGED))).hasSize(contenders - 1);
            }
        }
    }

    @Test
    void a_lease_is_refused_for_an_unknown_secret_and_for_another_integration() {
        vault.put(WS, "github", "FORGE_TOKEN", "forge-token-value");

        assertThatThrownBy(() -> vault.lease(new LeaseRequest(WS, "NO_SUCH", 1, "s", Duration.ofMinutes(1))))
                .isInstanceOf(NotFound.class).hasMessageContaining("no secret 'NO_SUCH'");
        assertThatThrownBy(() -> vault.lease(new LeaseRequest(WS, "FORGE_TOKEN", 1, "s", Duration.ofMinutes(1))))
                .isInstanceOf(InvalidSecret.class).hasMessageContaining("for integration 'github' only");
        assertThatThrownBy(() -> vault.lease(new LeaseRequest(WS, "FORGE_TOKEN", 1, "s", Duration.ofMinutes(1), "gitlab")))
                .isInstanceOf(InvalidSecret.class).hasMessageContaining("not for 'gitlab'");
        var lease = vault.lease(new LeaseRequest(WS, "FORGE_TOKEN", 1, "s", Duration.ofMinutes(1), "github"));
        assertThat(vault.exchange(lease.token(), Instant.now())).isInstanceOf(Exchange.Revealed.class);
        assertThatThrownBy(() -> new LeaseRequest(WS, "FORGE_TOKEN", 1, "s", Duration.ofHours(2)))
                .isInstanceOf(InvalidSecret.class).hasMessageContaining("at most 60 minutes");
    }

    @Test
    void deleting_a_secret_ends_its_leases() {
        vault.put(WS, null, "DOOMED", "doomed-value");
        var lease = vault.lease(new LeaseRequest(WS, "DOOMED", 1, "s", Duration.ofMinutes(5)));

        vault.delete(WS, "DOOMED");

        assertThat(vault.exchange(lease.token(), Instant.now())).isEqualTo(Exchange.refused(Exchange.Refusal.UNKNOWN));
    }

    @Test
    void bad_names_values_and_workspaces_are_refused_with_the_field_named() {
        assertThatThrownBy(() -> vault.put(WS, null, "has.dot", "value"))
                .isInstanceOfSatisfying(InvalidSecret.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> vault.put(WS, "bad integration", "OK_NAME", "value"))
                .isInstanceOfSatisfying(InvalidSecret.class, e -> assertThat(e.field()).isEqualTo("integration"));
        assertThatThrownBy(() -> vault.put(WS, null, "EMPTY", ""))
                .isInstanceOfSatisfying(InvalidSecret.class, e -> assertThat(e.field()).isEqualTo("value"));
        assertThatThrownBy(() -> vault.put(WS, null, "NUL", "a\0b"))
                .isInstanceOfSatisfying(InvalidSecret.class, e -> assertThat(e.field()).isEqualTo("value"));
        assertThatThrownBy(() -> vault.put(WS, null, "HUGE", "x".repeat(64 * 1024 + 1)))
                .isInstanceOfSatisfying(InvalidSecret.class, e -> assertThat(e.getMessage()).contains("at most 65536"));
        assertThatThrownBy(() -> vault.put("no-such-workspace", null, "NAME", "value"))
                .isInstanceOfSatisfying(NotFound.class, e -> assertThat(e.field()).isEqualTo("workspace"));
    }

    @Test
    void a_workspaces_redactor_takes_out_its_own_values_and_no_other_workspaces() throws SQLException {
        sql("INSERT INTO workspace (name) VALUES ('elsewhere') ON CONFLICT DO NOTHING");
        vault.put(WS, null, "MINE", "my-own-value");
        vault.put("elsewhere", null, "THEIRS", "their-value");

        var redactor = vault.redactor(WS);

        assertThat(redactor.redact("my-own-value their-value")).isEqualTo("*** their-value");
        assertThat(vault.list("elsewhere")).extracting(i -> i.name()).containsExactly("THEIRS");
    }

    @Test
    void concurrent_first_puts_of_one_name_leave_one_readable_secret() throws Exception {
        try (var pool = Executors.newFixedThreadPool(4)) {
            var start = new CountDownLatch(1);
            var futures = new ArrayList<Future<?>>();
            for (int i = 0; i < 4; i++) {
                String value = "racer-value-" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return vault.put(WS, null, "RACED", value);
                }));
            }
            start.countDown();
            for (var f : futures) {
                f.get();
            }
        }
        assertThat(vault.find(WS, "RACED")).hasValueSatisfying(i -> assertThat(i.version()).isEqualTo(4));
        assertThat(vault.reveal(WS, "RACED")).hasValueSatisfying(v -> assertThat(v).startsWith("racer-value-"));
    }
}
