package dev.agentry.postgres.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {
    @TempDir Path dir;

    @Test
    void a_key_is_named_by_a_fingerprint_that_is_the_same_wherever_it_is_loaded() throws Exception {
        String text = MasterKey.generate();
        Path file = dir.resolve("master.key");
        Files.writeString(file, text + "\n");

        var fromText = MasterKey.fromBase64(text, "test");
        var fromFile = MasterKey.fromFile(file);

        assertThat(fromText.id()).matches("mk-[0-9a-f]{12}").isEqualTo(fromFile.id());
        assertThat(MasterKey.fromBase64(MasterKey.generate(), "test").id()).isNotEqualTo(fromText.id());
        assertThat(fromText.toString()).doesNotContain(text);
    }

    @Test
    void a_key_that_is_not_32_bytes_of_base64_is_refused_without_repeating_it() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);

        assertThatThrownBy(() -> MasterKey.fromBase64(short16, "AGENTRY_MASTER_KEY"))
                .hasMessageContaining("AGENTRY_MASTER_KEY holds 16 bytes").hasMessageNotContaining(short16);
        assertThatThrownBy(() -> MasterKey.fromBase64("not base64 at all!", "the file"))
                .hasMessageContaining("the file is not base64").hasMessageNotContaining("not base64 at all!");
        assertThatThrownBy(() -> MasterKey.fromBase64("  ", "the file")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> MasterKey.fromFile(dir.resolve("missing.key"))).hasMessageContaining("no master key file at");
    }

    @Test
    void open_or_create_makes_a_key_file_only_its_owner_can_read_and_reuses_it() throws Exception {
        Path file = dir.resolve("data/master.key");

        var made = MasterKey.openOrCreate(file);
        var again = MasterKey.openOrCreate(file);

        assertThat(again.id()).isEqualTo(made.id());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void master_keys_find_the_current_and_previous_key_by_id() {
        var old = MasterKey.fromBase64(MasterKey.generate(), "old");
        var next = MasterKey.fromBase64(MasterKey.generate(), "next");
        var keys = MasterKeys.of(old).rotatedTo(next);

        assertThat(keys.current()).isEqualTo(next);
        assertThat(keys.find(old.id())).hasValue(old);
        assertThat(keys.find(next.id())).hasValue(next);
        assertThat(keys.withoutPrevious().find(old.id())).isEmpty();
        assertThat(keys.describe()).isEqualTo(next.id() + " (current), " + old.id() + " (previous)");
    }
}
