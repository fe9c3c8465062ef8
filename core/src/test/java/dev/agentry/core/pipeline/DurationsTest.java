package dev.agentry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void each_unit_reads_as_people_write_it() {
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).contains(Duration.ofMinutes(10));
        assertThat(Durations.parse("2h")).contains(Duration.ofHours(2));
        assertThat(Durations.parse("7d")).contains(Duration.ofDays(7));
    }

    @Test
    void units_combine_and_add_up() {
        assertThat(Durations.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse("1m5s250ms")).contains(Duration.ofMillis(65_250));
        assertThat(Durations.parse("90s")).contains(Duration.ofSeconds(90));
    }

    @Test
    void anything_else_is_not_a_duration() {
        for (String text : List.of("", "10", "ms", "10x", "1.5h", "-1s", " 1s", "1s ", "1 s", "1H", "one second", "1h 30m", "+5s")) {
            assertThat(Durations.parse(text)).as("'%s'", text).isEmpty();
        }
        assertThat(Durations.parse(null)).isEmpty();
    }

    @Test
    void numbers_too_large_to_count_are_not_a_duration_rather_than_an_error() {
        assertThat(Durations.parse("99999999999999999999s")).isEmpty();
        assertThat(Durations.parse("9223372036854775807d")).isEmpty();
    }

    @Test
    void format_writes_the_shortest_form_that_reads_back_the_same() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ofMillis(90_061_001))).isEqualTo("1d1h1m1s1ms");
        for (var d : List.of(Duration.ofMillis(1), Duration.ofSeconds(59), Duration.ofMinutes(61), Duration.ofDays(365),
                Duration.ofMillis(123_456_789))) {
            assertThat(Durations.parse(Durations.format(d))).as("%s", d).contains(d);
        }
    }
}
