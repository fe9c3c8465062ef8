package dev.agentry.runners.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class JobOutputTest {
    private final JobOutput output = new JobOutput(16, Clock.systemUTC(), null);

    private void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        output.write(bytes, 0, bytes.length);
    }

    @Test
    void output_is_read_from_any_byte_offset_up_to_a_bounded_chunk() {
        write("hello ");
        write("world");

        var all = output.read(0, 100, false);
        assertThat(all.text()).isEqualTo("hello world");
        assertThat(all.from()).isZero();
        assertThat(all.next()).isEqualTo(11);
        var chunk = output.read(6, 3, false);
        assertThat(chunk.text()).isEqualTo("wor");
        assertThat(chunk.next()).isEqualTo(9);
        assertThat(output.read(11, 100, false)).as("nothing new").isNull();
    }

    @Test
    void bytes_no_longer_held_are_skipped_and_the_read_says_where_it_starts() {
        write("0123456789");
        write("abcdefghij");

        var read = output.read(0, 100, false);
        assertThat(read.from()).isEqualTo(4);
        assertThat(read.text()).isEqualTo("456789abcdefghij");
        assertThat(output.tail()).isEqualTo("[... 4 earlier bytes dropped ...]\n456789abcdefghij");
    }

    @Test
    void a_character_is_never_split_between_two_reads() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        output.write("a".getBytes(StandardCharsets.UTF_8), 0, 1);
        output.write(euro, 0, 2);

        assertThat(output.readableEnd()).isEqualTo(1);
        assertThat(output.read(0, 100, false).text()).isEqualTo("a");
        assertThat(output.read(1, 100, false)).isNull();

        output.write(euro, 2, 1);
        assertThat(output.read(1, 100, false).text()).isEqualTo("€");
        assertThat(output.read(2, 100, false)).as("a read starting inside a character starts after it").isNull();
    }

    @Test
    void nul_bytes_become_replacement_characters() {
        output.write(new byte[] {'a', 0, 'b'}, 0, 3);

        assertThat(output.read(0, 100, true).text()).isEqualTo("a\uFFFDb");
    }
}
