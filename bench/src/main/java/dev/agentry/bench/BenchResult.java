package dev.agentry.bench;

/**
 * What one engine did with the same workload: {@code chains} chains of {@code stepsPerChain} steps.
 * Latencies are in milliseconds; "chain" is start of the chain to its last step done, "dispatch" is a
 * step becoming runnable to it starting.
 */
public record BenchResult(
        String engine,
        int chains,
        int stepsPerChain,
        double seconds,
        double chainP50Ms,
        double chainP99Ms,
        double dispatchP50Ms,
        double dispatchP99Ms) {

    public double stepsPerSecond() {
        return chains * (double) stepsPerChain / seconds;
    }

    public String line() {
        return String.format("%-12s %6d chains x %d  %8.0f steps/s  chain p50 %8.1f ms  p99 %8.1f ms  dispatch p50 %7.1f ms  p99 %7.1f ms",
                engine, chains, stepsPerChain, stepsPerSecond(), chainP50Ms, chainP99Ms, dispatchP50Ms, dispatchP99Ms);
    }
}
