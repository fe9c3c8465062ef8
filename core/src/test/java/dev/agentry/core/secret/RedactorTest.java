package dev.agentry.core.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedactorTest {
    static final String TOKEN = "ghp_s3cr3tT0k3n";

    /** Collects what a stream passes on. */
    static final class Collected implements Redactor.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    static String streamed(Redactor redactor, String text, int... cuts) {
        var sink = new Collected();
        var stream = redactor.stream(sink);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        for (int cut : cuts) {
            stream.write(bytes, from, cut - from);
            from = cut;
        }
        stream.write(bytes, from, bytes.length - from);
        stream.finish();
        return sink.text();
    }

    @Test
    void every_occurrence_of_a_value_becomes_the_mask() {
        var redactor = Redactor.of(List.of(TOKEN));

        assertThat(redactor.redact("token=" + TOKEN + " and again " + TOKEN + "."))
                .isEqualTo("token=*** and again ***.");
    }

    @Test
    void text_without_a_value_is_returned_as_it_was() {
        String text = "nothing to see";
        assertThat(Redactor.of(List.of(TOKEN)).redact(text)).isSameAs(text);
        assertThat(Redactor.of(List.of(TOKEN)).redact(null)).isNull();
    }

    @Test
    void values_shorter_than_four_characters_are_not_redacted() {
        var redactor = Redactor.of(List.of("on", "abc", "abcd", "日本語"));

        assertThat(redactor.size()).isEqualTo(1);
        assertThat(redactor.redact("on abc abcd 日本語")).isEqualTo("on abc *** 日本語");
    }

    @Test
    void the_longer_of_two_overlapping_values_is_taken_out_whole() {
        var redactor = Redactor.of(List.of("pass", "password-1234"));

        assertThat(redactor.redact("x password-1234 pass")).isEqualTo("x *** ***");
    }

    @Test
    void a_value_cut_across_two_chunks_is_still_redacted() {
        var redactor = Redactor.of(List.of(TOKEN));
        String text = "before " + TOKEN + " after";

        for (int cut = 1; cut < text.length(); cut++) {
            assertThat(streamed(redactor, text, cut)).as("cut at %d", cut).isEqualTo("before *** after");
        }
    }

    @Test
    void a_value_written_one_byte_at_a_time_is_still_redacted() {
        var redactor = Redactor.of(List.of(TOKEN, "другой-секрет"));
        String text = "a " + TOKEN + " b другой-секрет c";
        int[] everyByte = new int[text.getBytes(StandardCharsets.UTF_8).length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }

        assertThat(streamed(redactor, text, everyByte)).isEqualTo("a *** b *** c");
    }

    @Test
    void the_stream_holds_back_only_what_may_start_a_value_and_at_most_its_length_less_one() {
        var redactor = Redactor.of(List.of(TOKEN));
        var sink = new Collected();
        var stream = redactor.stream(sink);

        byte[] plain = "line without secrets\n".getBytes(StandardCharsets.UTF_8);
        stream.write(plain, 0, plain.length);
        assertThat(sink.text()).isEqualTo("line without secrets\n");
        assertThat(stream.held()).isZero();

        byte[] start = ("x " + TOKEN.substring(0, TOKEN.length() - 1)).getBytes(StandardCharsets.UTF_8);
        stream.write(start, 0, start.length);
        assertThat(stream.held()).isEqualTo(TOKEN.length() - 1);
        assertThat(sink.text()).endsWith("x ");
    }

    @Test
    void a_partial_value_at_the_end_of_the_output_is_passed_on_when_the_stream_finishes() {
        var redactor = Redactor.of(List.of(TOKEN));

        assertThat(streamed(redactor, "ends with ghp_s3c", 12)).isEqualTo("ends with ghp_s3c");
    }

    @Test
    void streaming_matches_redacting_the_whole_text_wherever_the_chunks_are_cut() {
        var redactor = Redactor.of(List.of("abcabd", "bcab", "zzzz"));
        var random = new Random(7);
        for (int round = 0; round < 500; round++) {
            var sb = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                sb.append("abcdz".charAt(random.nextInt(5)));
            }
            String text = sb.toString();
            int a = 1 + random.nextInt(text.length() - 2);
            int b = a + random.nextInt(text.length() - a);
            assertThat(streamed(redactor, text, a, b)).as("%s cut at %d and %d", text, a, b).isEqualTo(redactor.redact(text));
        }
    }

    @Test
    void a_redactor_never_prints_its_values() {
        assertThat(Redactor.of(List.of(TOKEN)).toString()).doesNotContain(TOKEN);
    }
}
