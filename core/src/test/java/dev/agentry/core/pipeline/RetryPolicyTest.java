package dev.agentry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(2), Duration.ofSeconds(30));

    /** Always draws the smallest value. */
    private static final RandomGenerator LOWEST = () -> 0L;

    /** Always draws the largest value below the bound. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void the_wait_doubles_after_each_failure_until_the_cap() {
        assertThat(policy.delayAfter(1, HIGHEST)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(2, HIGHEST)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(3, HIGHEST)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delayAfter(4, HIGHEST)).isEqualTo(Duration.ofSeconds(16));
        assertThat(policy.delayAfter(5, HIGHEST)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.delayAfter(99, HIGHEST)).as("no overflow after many failures").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitter_never_waits_less_than_half_of_the_backoff_nor_more_than_all_of_it() {
        assertThat(policy.delayAfter(1, LOWEST)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayAfter(3, LOWEST)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(50, LOWEST)).isEqualTo(Duration.ofSeconds(15));
        var random = new SplittableRandom(42);
        var seen = new java.util.HashSet<Duration>();
        for (int i = 0; i < 1000; i++) {
            var d = policy.delayAfter(2, random);
            assertThat(d).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            seen.add(d);
        }
        assertThat(seen).as("runs failing together spread out").hasSizeGreaterThan(100);
    }

    @Test
    void a_step_without_a_retry_block_is_attempted_once() {
        var step = PipelineParser.parse("{name: r, steps: [{id: a, kind: noop}]}").requireStep("a");
        assertThat(step.retry().maxAttempts()).isEqualTo(1);
    }

    @Test
    void a_retry_block_without_max_attempts_means_three_attempts_with_the_default_waits() {
        var step = PipelineParser.parse("{name: r, steps: [{id: a, kind: noop, retry: {}}]}").requireStep("a");
        assertThat(step.retry()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(5)));
    }
}
