package dev.agentry.core.spend;

import java.math.BigDecimal;
import java.math.MathContext;

/** What a model costs, in US dollars per million tokens of each sort. */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public static Price of(String input, String output, String cacheRead, String cacheWrite) {
        return new Price(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead), new BigDecimal(cacheWrite));
    }

    public BigDecimal cost(Usage usage) {
        BigDecimal perMillion = input.multiply(BigDecimal.valueOf(usage.input()))
                .add(output.multiply(BigDecimal.valueOf(usage.output())))
                .add(cacheRead.multiply(BigDecimal.valueOf(usage.cacheRead())))
                .add(cacheWrite.multiply(BigDecimal.valueOf(usage.cacheWrite())));
        return perMillion.divide(MILLION, MathContext.DECIMAL64).setScale(9, java.math.RoundingMode.HALF_UP);
    }
}
