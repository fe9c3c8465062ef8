package dev.agentry.bench.events;

/**
 * One measured scenario. Latencies are in milliseconds; CPU in % of one core over the measurement
 * window; heap in MiB.
 *
 * @param logEvents          events the log has for the workspace in the window (what every subscriber should get)
 * @param delivered          events received by all subscribers together, each subscriber's first receipt of each id
 * @param p50Ms              delivery latency (arrival at the client minus the event's {@code ts}), over every receipt
 * @param sequencedP99Ms     {@code ts} to the sequencer's commit notification (heard on a LISTEN connection), per event:
 *                           the change's own commit, and the sequencing that gives its id
 * @param hubP99Ms           that notification to the first subscriber's receipt, per event: the hub's read of the
 *                           log and the first write to a stream
 * @param firstP99Ms         {@code ts} to the first subscriber's receipt of an event, per event
 * @param spreadP99Ms        first to last subscriber's receipt of the same event, per event: the fan-out's own share
 * @param lost               ids in the log that a subscriber never received (summed over subscribers)
 * @param duplicated         receipts of an id the subscriber already had
 * @param outOfOrder         receipts whose id was not above the one before
 * @param unexpected         ids received that the log's export does not have for the workspace in the window
 * @param coveredBySnapshots ids not sent because a periodic snapshot stood for them (as the protocol allows)
 * @param tsMismatches       events whose {@code ts} in the stream differs from the export's (sampled subscriber)
 * @param otherCpuPct        what other processes on the machine used meanwhile (the machine's busy time less the three above)
 * @param catchUpSeconds     after the window, how long until every subscriber had received its last event
 * @param heapMaxObservedMiB most heap in use seen during the window (before a GC pause, or right after the window)
 * @param heapLiveAfterMiB   heap in use after the window and a full GC: what the server actually holds
 * @param serverWritesPerSecond write system calls of the server JVM (streams, mostly; also JDBC and its log)
 * @param clientReadsPerSecond  reads that returned data, over every subscriber
 */
public record Result(
        String scenario,
        int subscribers,
        int failedSubscribers,
        double connectSeconds,
        double seconds,
        double runsPerSecond,
        long logEvents,
        double logEventsPerSecond,
        long delivered,
        double deliveredPerSecond,
        double p50Ms,
        double p99Ms,
        double p999Ms,
        double maxMs,
        double sequencedP50Ms,
        double sequencedP99Ms,
        double hubP50Ms,
        double hubP99Ms,
        double firstP50Ms,
        double firstP99Ms,
        double spreadP50Ms,
        double spreadP99Ms,
        long lost,
        long duplicated,
        long outOfOrder,
        long unexpected,
        long coveredBySnapshots,
        long cutOffs,
        long gaps,
        long tsChecked,
        long tsMismatches,
        long minPerSubscriber,
        long maxPerSubscriber,
        double serverCpuPct,
        double postgresCpuPct,
        double clientCpuPct,
        double machineBusyPct,
        double otherCpuPct,
        int gcPauses,
        double gcPauseMs,
        double heapMaxObservedMiB,
        double heapCommittedMiB,
        double heapUsedAfterMiB,
        double heapLiveAfterMiB,
        double catchUpSeconds,
        double serverWritesPerSecond,
        double clientReadsPerSecond) {

    /** Events per write system call of the server: how much it batches what it sends to each stream. */
    public double eventsPerServerWrite() {
        return deliveredPerSecond / serverWritesPerSecond;
    }
}
