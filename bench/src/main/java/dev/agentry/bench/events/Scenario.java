package dev.agentry.bench.events;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * One measurement: {@code subscribers} streams on the default workspace while runs are started at a
 * steady rate; a warm-up, then a window whose events are checked against the log and timed.
 *
 * <p>The window is defined by log ids: from the last id the server's hub had fanned out when it opened
 * (every later event must reach every subscriber, all of them being live by then) to the last one when it
 * closed. After it closes the load stops, every subscriber is given time to receive the window's last
 * event, and then the log's own export of the window is the reference: each subscriber must have each of
 * its ids exactly once, in increasing order.
 */
public final class Scenario {
    private static final String STREAM = Api.WS + "/events";

    private final ServerProcess server;
    private final Api api;
    private final String pipeline;
    private final int clientThreads;

    /** @param clientThreads threads that read the streams (see SseClient) */
    public Scenario(ServerProcess server, Api api, String pipeline, int clientThreads) {
        this.server = server;
        this.api = api;
        this.pipeline = pipeline;
        this.clientThreads = clientThreads;
    }

    /** What the server, its database, this JVM and the machine had used by one moment, and where the log stood. */
    private record Sample(long nanos, long position, long serverCpu, long postgresCpu, long clientCpu,
                          long machineCpu, long serverWrites, long clientReads, long gcMark, long runsStarted) {
        static Sample take(ServerProcess server, Api api, Load load, List<SseSubscriber> subs) throws IOException, InterruptedException {
            long nanos = System.nanoTime();
            var streams = api.streams();
            return new Sample(nanos, streams.position(), server.jvmCpuNanos(), server.postgresCpuNanos(),
                    Cpu.processNanos(ProcessHandle.current().pid()), Cpu.machineBusyNanos(), Cpu.writeSyscalls(server.pid()),
                    subs.stream().mapToLong(s -> s.reads).sum(), server.gcMark(), load.started());
        }
    }

    public Result run(String label, int subscribers, double runsPerSecond, Duration warmup, Duration measure) throws Exception {
        int leftover = api.streams().count();
        if (leftover > 0) {
            System.out.printf("  (%d streams of an earlier scenario still open on the server)%n", leftover);
        }
        URI uri = URI.create(server.url());
        long c0 = System.nanoTime();
        var client = SseClient.open(new InetSocketAddress(uri.getHost(), uri.getPort()), STREAM, subscribers, clientThreads);
        List<SseSubscriber> subs = client.subscribers();
        double connectSeconds = (System.nanoTime() - c0) / 1e9;
        long failedToConnect = subs.stream().filter(s -> s.failure != null).count();
        System.out.printf("%s: %d subscribers connected in %.1f s%s; starting %.1f runs/s, %d s warm-up, %d s measured%n",
                label, subscribers - failedToConnect, connectSeconds,
                failedToConnect == 0 ? "" : " (" + failedToConnect + " failed: " + firstFailure(subs) + ")",
                runsPerSecond, warmup.toSeconds(), measure.toSeconds());

        Sample start;
        Sample end;
        ServerProcess.GcWindow gc;
        long failedStarts;
        var sequenced = new SequenceListener(server.databaseUrl());
        try (var load = new Load(api, pipeline, runsPerSecond)) {
            Thread.sleep(warmup);
            start = Sample.take(server, api, load, subs);
            Thread.sleep(measure);
            end = Sample.take(server, api, load, subs);
            gc = server.gcSince(start.gcMark());
            failedStarts = load.failed();
            if (failedStarts > 0) {
                System.out.printf("  %d run starts failed, the last with: %s%n", failedStarts, load.lastFailure());
            }
        }
        long p0 = start.position();
        long p1 = end.position();
        double catchUp = awaitCaughtUp(subs, p1, Duration.ofSeconds(60));
        sequenced.close();
        if (sequenced.failure() != null) {
            System.out.printf("  the LISTEN connection failed: %s%n", sequenced.failure());
        }
        double[] heapNow = server.heap(false);
        double[] heapLive = server.heap(true);

        client.close();
        List<Api.Logged> window = api.export(p0, p1, null);
        closeLeftovers();

        double seconds = (end.nanos() - start.nanos()) / 1e9;
        var check = check(subs, window, p0, p1, sequenced);
        long[] latencies = check.latencies.sorted();
        double cpu = (end.nanos() - start.nanos()) / 100.0; // nanoseconds per % of one core
        var result = new Result(label, subscribers, (int) subs.stream().filter(s -> s.failure != null).count(), connectSeconds,
                seconds, (end.runsStarted() - start.runsStarted()) / seconds, window.size(), window.size() / seconds,
                check.delivered, check.delivered / seconds,
                ms(Longs.quantile(latencies, 0.50)), ms(Longs.quantile(latencies, 0.99)), ms(Longs.quantile(latencies, 0.999)),
                ms(latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1]),
                ms(Longs.quantile(check.toSequenced, 0.50)), ms(Longs.quantile(check.toSequenced, 0.99)),
                ms(Longs.quantile(check.sequencedToFirst, 0.50)), ms(Longs.quantile(check.sequencedToFirst, 0.99)),
                ms(Longs.quantile(check.first, 0.50)), ms(Longs.quantile(check.first, 0.99)),
                ms(Longs.quantile(check.spread, 0.50)), ms(Longs.quantile(check.spread, 0.99)),
                check.lost, check.duplicated, check.outOfOrder, check.unexpected, check.covered,
                subs.stream().mapToLong(s -> s.cutOffs).sum(), subs.stream().mapToLong(s -> s.gaps).sum(),
                check.tsChecked, check.tsMismatches, check.minPerSubscriber, check.maxPerSubscriber,
                (end.serverCpu() - start.serverCpu()) / cpu, (end.postgresCpu() - start.postgresCpu()) / cpu,
                (end.clientCpu() - start.clientCpu()) / cpu, (end.machineCpu() - start.machineCpu()) / cpu,
                ((end.machineCpu() - start.machineCpu()) - (end.serverCpu() - start.serverCpu())
                        - (end.postgresCpu() - start.postgresCpu()) - (end.clientCpu() - start.clientCpu())) / cpu,
                gc.pauses(), gc.pauseMillis(), Math.max(gc.maxUsedMiB(), heapNow[0]), Math.max(gc.maxCommittedMiB(), heapNow[1]),
                heapNow[0], heapLive[0], catchUp, (end.serverWrites() - start.serverWrites()) / seconds,
                (end.clientReads() - start.clientReads()) / seconds);
        if (window.size() != p1 - p0) {
            System.out.printf("  note: the window holds %d events of other workspaces too%n", p1 - p0 - window.size());
        }
        if (result.failedSubscribers() > 0) {
            System.out.printf("  %d subscribers failed, e.g.: %s%n", result.failedSubscribers(), firstFailure(subs));
        }
        return result;
    }

    private static String firstFailure(List<SseSubscriber> subs) {
        return subs.stream().filter(s -> s.failure != null).map(s -> String.valueOf(s.failure)).findFirst().orElse("");
    }

    /** Waits until every live subscriber has received id {@code last}; returns how long that took, in seconds. */
    private static double awaitCaughtUp(List<SseSubscriber> subs, long last, Duration atMost) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (var s : subs) {
                if (s.failure == null && s.lastId < last) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(10);
        }
        System.out.printf("  some subscribers had not received id %d %d s after the window%n", last, atMost.toSeconds());
        return Double.NaN;
    }

    /**
     * The server notices that a client went away when it next writes to the stream; start a run now and
     * then so that it does, and the next scenario begins without the last one's streams.
     */
    private void closeLeftovers() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (api.streams().count() > 0 && System.nanoTime() < deadline) {
            api.start(pipeline);
            Thread.sleep(500);
        }
    }

    private static final class Check {
        final Longs latencies = new Longs();
        long[] first = new long[0];
        long[] spread = new long[0];
        long[] toSequenced = new long[0];
        long[] sequencedToFirst = new long[0];
        long delivered;
        long lost;
        long duplicated;
        long outOfOrder;
        long unexpected;
        long covered;
        long tsChecked;
        long tsMismatches;
        long minPerSubscriber = Long.MAX_VALUE;
        long maxPerSubscriber;
    }

    /** Compares what every subscriber received with the log's export of the window, and times each receipt. */
    private static Check check(List<SseSubscriber> subs, List<Api.Logged> window, long p0, long p1, SequenceListener sequenced) {
        var check = new Check();
        int m = window.size();
        long[] ids = window.stream().mapToLong(Api.Logged::id).toArray();
        long[] ts = window.stream().mapToLong(Api.Logged::tsMicros).toArray();
        long[] firstArrival = new long[m];
        long[] lastArrival = new long[m];
        Arrays.fill(firstArrival, Long.MAX_VALUE);
        Arrays.fill(lastArrival, Long.MIN_VALUE);
        for (var s : subs) {
            var seen = new BitSet(m);
            long previous = Long.MIN_VALUE;
            for (int k = 0; k < s.ids.size(); k++) {
                long id = s.ids.get(k);
                if (id <= previous) {
                    check.outOfOrder++;
                }
                previous = id;
                if (id <= p0 || id > p1) {
                    continue; // outside the window: received during the warm-up or the drain
                }
                int at = Arrays.binarySearch(ids, id);
                if (at < 0) {
                    check.unexpected++;
                    continue;
                }
                if (seen.get(at)) {
                    check.duplicated++;
                    continue;
                }
                seen.set(at);
                long arrived = s.arrivedMicros.get(k);
                check.latencies.add(arrived - ts[at]);
                firstArrival[at] = Math.min(firstArrival[at], arrived);
                lastArrival[at] = Math.max(lastArrival[at], arrived);
                if (s.streamTsMicros.size() > k) {
                    check.tsChecked++;
                    if (s.streamTsMicros.get(k) != ts[at]) {
                        check.tsMismatches++;
                    }
                }
            }
            int received = seen.cardinality();
            check.delivered += received;
            check.minPerSubscriber = Math.min(check.minPerSubscriber, received);
            check.maxPerSubscriber = Math.max(check.maxPerSubscriber, received);
            // A later snapshot stands for the events between the last one sent and its position.
            for (int p = 0; p + 1 < s.laterSnapshots.size(); p += 2) {
                long after = s.laterSnapshots.get(p);
                long through = s.laterSnapshots.get(p + 1);
                for (int at = 0; at < m; at++) {
                    if (ids[at] > after && ids[at] <= through && !seen.get(at)) {
                        seen.set(at);
                        check.covered++;
                    }
                }
            }
            check.lost += m - seen.cardinality();
        }
        var first = new Longs();
        var spread = new Longs();
        var toSequenced = new Longs();
        var sequencedToFirst = new Longs();
        int[] cursor = {0};
        for (int at = 0; at < m; at++) {
            if (firstArrival[at] != Long.MAX_VALUE) {
                first.add(firstArrival[at] - ts[at]);
                spread.add(lastArrival[at] - firstArrival[at]);
                long heard = sequenced.heardFor(ids[at], cursor);
                if (heard >= 0) {
                    toSequenced.add(heard - ts[at]);
                    sequencedToFirst.add(firstArrival[at] - heard);
                }
            }
        }
        check.first = first.sorted();
        check.spread = spread.sorted();
        check.toSequenced = toSequenced.sorted();
        check.sequencedToFirst = sequencedToFirst.sorted();
        if (subs.isEmpty()) {
            check.minPerSubscriber = 0;
        }
        return check;
    }

    private static double ms(double micros) {
        return micros / 1000.0;
    }
}
