package dev.agentry.bench.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * One Server-Sent Events stream's decoder and record. {@link SseClient} reads the sockets and hands each
 * stream what arrived; a thousand of these share the machine with the server they measure, so each does
 * as little as it can: it decodes the HTTP/1.1 chunked body and the SSE fields straight from bytes, and per
 * event keeps only its id and when it arrived. The event's commit time comes later from the log's export,
 * which has the same {@code ts} (a sampled subscriber checks that, see {@code sampleTs}).
 *
 * <p>"Arrived" is the wall-clock time (the server's clock: same machine) right after the read that
 * completed the event's frame; events that came in one read share it.
 */
public final class SseSubscriber {
    private static final byte[] SNAPSHOT = bytes("snapshot");
    private static final byte[] CUT_OFF = bytes("cut-off");
    private static final byte[] GAP = bytes("gap");
    private static final byte[] TS_FIELD = bytes("\"ts\":\"");

    private enum Wire { HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, RAW, DONE }

    private enum Kind { EVENT, SNAPSHOT, CUT_OFF, GAP }

    private final boolean sampleTs;
    private final CountDownLatch firstSnapshot = new CountDownLatch(1);

    // Written by the thread that reads this stream; read by others after the client closed (it joins its
    // readers), except the volatile ones, which are read as it runs.
    /** Ids of the events received, in arrival order (snapshots excluded). */
    final Longs ids = new Longs();
    /** When each of them arrived, in epoch microseconds. */
    final Longs arrivedMicros = new Longs();
    /** The {@code ts} each event carried, in epoch microseconds (only when sampling). */
    final Longs streamTsMicros = new Longs();
    /** Snapshots after the first, as pairs (last event id before it, its position): what they stand for was not sent as events. */
    final Longs laterSnapshots = new Longs();
    private boolean hadSnapshot;
    int cutOffs;
    int gaps;
    /** Reads that returned data: with the events received, how many events the server sent together. */
    volatile long reads; // single writer; read while it runs, for rates
    volatile Throwable failure;
    /** The last id received, an event's or a snapshot's position: how far this subscriber has got. */
    volatile long lastId = -1;
    private long lastEventId = -1;

    // Parser state.
    private Wire wire = Wire.HEAD;
    private long chunkLeft;
    private int status;
    private boolean chunked;
    private final LineBuffer wireLine = new LineBuffer();
    private final LineBuffer sseLine = new LineBuffer();
    private long pendingId = -1;
    private Kind pendingKind = Kind.EVENT;
    private boolean pendingData;
    private long pendingTs = -1;

    /** @param sampleTs also parse each event's {@code ts} from its data, to compare it with the export's */
    public SseSubscriber(boolean sampleTs) {
        this.sampleTs = sampleTs;
    }

    /** The request that opens the stream. */
    static byte[] request(String host, int port, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + ServerProcess.TOKEN
                + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** What one read returned, at {@code arrived} (epoch microseconds). */
    void received(byte[] b, int length, long arrived) throws IOException {
        reads++;
        feed(b, length, arrived);
    }

    /** The stream is over: the server ended it, or the connection failed (unless the client was closing it). */
    void ended(Throwable why) {
        if (failure == null && why != null) {
            failure = why;
        }
        firstSnapshot.countDown(); // whoever waits for it is not left waiting on a failed subscriber
    }

    boolean done() {
        return wire == Wire.DONE;
    }

    /** @return false if it did not come within {@code seconds} */
    public boolean awaitFirstSnapshot(long seconds) throws InterruptedException {
        return firstSnapshot.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Decodes the HTTP response (head, then chunked or plain body) from what one read returned. */
    private void feed(byte[] b, int length, long arrived) throws IOException {
        int i = 0;
        while (i < length && wire != Wire.DONE) {
            switch (wire) {
                case HEAD, CHUNK_SIZE -> {
                    byte c = b[i++];
                    if (c == '\n') {
                        if (wire == Wire.HEAD) {
                            headLine();
                        } else {
                            chunkSizeLine();
                        }
                        wireLine.clear();
                    } else if (c != '\r') {
                        wireLine.add(c);
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkLeft, length - i);
                    body(b, i, n, arrived);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        wire = Wire.CHUNK_END;
                    }
                }
                case CHUNK_END -> {
                    if (b[i++] == '\n') {
                        wire = Wire.CHUNK_SIZE;
                    }
                }
                case RAW -> {
                    body(b, i, length - i, arrived);
                    i = length;
                }
                case DONE -> { }
            }
        }
    }

    private void headLine() throws IOException {
        String line = wireLine.ascii();
        if (status == 0) {
            String[] parts = line.split(" ", 3);
            status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            if (status != 200) {
                throw new IOException("the stream answered " + line);
            }
        } else if (line.isEmpty()) {
            wire = chunked ? Wire.CHUNK_SIZE : Wire.RAW;
        } else if (line.regionMatches(true, 0, "transfer-encoding:", 0, 18) && line.toLowerCase().contains("chunked")) {
            chunked = true;
        }
    }

    private void chunkSizeLine() {
        String line = wireLine.ascii();
        if (line.isEmpty()) {
            return;
        }
        int semicolon = line.indexOf(';');
        chunkLeft = Long.parseLong(semicolon < 0 ? line.trim() : line.substring(0, semicolon).trim(), 16);
        wire = chunkLeft == 0 ? Wire.DONE : Wire.CHUNK_DATA;
    }

    /**
     * The event stream itself: lines of {@code field: value}, an empty line ends an event. Whole lines are
     * parsed where they lie in the read buffer; only a line cut by the end of a read is copied.
     */
    private void body(byte[] b, int from, int n, long arrived) {
        int i = from;
        int end = from + n;
        while (i < end) {
            int newline = i;
            while (newline < end && b[newline] != '\n') {
                newline++;
            }
            if (newline == end) {
                sseLine.add(b, i, end - i);
                return;
            }
            if (sseLine.size > 0) {
                sseLine.add(b, i, newline - i);
                sseLine(sseLine.bytes, 0, sseLine.size, arrived);
                sseLine.clear();
            } else {
                sseLine(b, i, newline - i, arrived);
            }
            i = newline + 1;
        }
    }

    private void sseLine(byte[] b, int at, int length, long arrived) {
        if (length > 0 && b[at + length - 1] == '\r') {
            length--;
        }
        if (length == 0) {
            dispatch(arrived);
            return;
        }
        if (b[at] == ':') {
            return; // a comment: the greeting and heartbeats
        }
        int end = at + length;
        if (isField(b, at, end, "id")) {
            pendingId = parseLong(b, valueStart(b, at + 2, end), end);
        } else if (isField(b, at, end, "event")) {
            int value = valueStart(b, at + 5, end);
            pendingKind = equals(b, value, end, SNAPSHOT) ? Kind.SNAPSHOT
                    : equals(b, value, end, CUT_OFF) ? Kind.CUT_OFF
                    : equals(b, value, end, GAP) ? Kind.GAP : Kind.EVENT;
        } else if (isField(b, at, end, "data")) {
            pendingData = true;
            if (sampleTs && pendingKind == Kind.EVENT) {
                pendingTs = isoInstantMicrosAfter(b, valueStart(b, at + 4, end), end, TS_FIELD);
            }
        }
    }

    private void dispatch(long arrived) {
        if (pendingData) {
            switch (pendingKind) {
                case SNAPSHOT -> {
                    if (!hadSnapshot) {
                        hadSnapshot = true;
                        firstSnapshot.countDown();
                    } else {
                        laterSnapshots.add(lastEventId);
                        laterSnapshots.add(pendingId);
                    }
                    lastId = pendingId;
                }
                case EVENT -> {
                    ids.add(pendingId);
                    arrivedMicros.add(arrived);
                    if (sampleTs) {
                        streamTsMicros.add(pendingTs);
                    }
                    lastEventId = pendingId;
                    lastId = pendingId;
                }
                case CUT_OFF -> cutOffs++;
                case GAP -> gaps++;
            }
        }
        pendingId = -1;
        pendingKind = Kind.EVENT;
        pendingData = false;
        pendingTs = -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether the line is {@code field:...}. */
    private static boolean isField(byte[] b, int at, int end, String field) {
        int n = field.length();
        if (end - at <= n || b[at + n] != ':') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[at + i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** After {@code field:}, the value starts past one optional space. */
    private static int valueStart(byte[] b, int colon, int end) {
        return colon + 1 < end && b[colon + 1] == ' ' ? colon + 2 : colon + 1;
    }

    private static boolean equals(byte[] b, int at, int end, byte[] word) {
        return Arrays.equals(b, at, end, word, 0, word.length);
    }

    private static long parseLong(byte[] b, int at, int end) {
        long v = 0;
        for (int i = at; i < end; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    /** The ISO instant in the JSON string that follows {@code key}, in epoch microseconds; -1 if none. */
    private static long isoInstantMicrosAfter(byte[] b, int at, int end, byte[] key) {
        outer:
        for (int i = at; i + key.length <= end; i++) {
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            int start = i + key.length;
            int stop = start;
            while (stop < end && b[stop] != '"') {
                stop++;
            }
            Instant ts = Instant.parse(new String(b, start, stop - start, StandardCharsets.US_ASCII));
            return ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1_000;
        }
        return -1;
    }

    /** Bytes of a line cut by the end of a read (and of the HTTP head), reused from line to line. */
    private static final class LineBuffer {
        byte[] bytes = new byte[512];
        int size;

        void add(byte c) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = c;
        }

        void add(byte[] b, int from, int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
            System.arraycopy(b, from, bytes, size, n);
            size += n;
        }

        void clear() {
            size = 0;
        }

        String ascii() {
            return new String(bytes, 0, size, StandardCharsets.US_ASCII);
        }
    }
}
