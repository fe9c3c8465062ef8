package dev.agentry.runners.harness;

import dev.agentry.core.job.JobView;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * Everything a job's process printed (stdout and stderr together), addressed by byte offset from the first
 * byte, of which the last {@code capacity} bytes are held. One buffer serves both readers: a poll asks for the
 * bytes from an offset, and the finished job keeps what is held as its log.
 *
 * <p>Text handed out never splits a UTF-8 character: a read starting inside one moves to the next character,
 * and a read stops before a character whose last bytes have not arrived yet.
 */
public final class JobOutput {
    private final byte[] ring;
    private final Clock clock;
    private final Runnable onWrite;
    private long written;
    private volatile Instant lastOutputAt;

    /** @param onWrite called after each write, outside this buffer's lock (a poller's wake-up) */
    public JobOutput(int capacity, Clock clock, Runnable onWrite) {
        if (capacity < 16) {
            throw new IllegalArgumentException("capacity must be at least 16 bytes, got " + capacity);
        }
        this.ring = new byte[capacity];
        this.clock = clock;
        this.onWrite = onWrite == null ? () -> {} : onWrite;
    }

    public void write(byte[] bytes, int off, int len) {
        if (len <= 0) {
            return;
        }
        synchronized (this) {
            int skip = Math.max(0, len - ring.length);
            for (int i = skip; i < len; i++) {
                ring[(int) ((written + i) % ring.length)] = bytes[off + i];
            }
            written += len;
        }
        lastOutputAt = clock.instant();
        onWrite.run();
    }

    /** How many bytes were printed in all. */
    public synchronized long size() {
        return written;
    }

    /** The end of what can be read now: {@link #size()} less the first bytes of a character still arriving. */
    public synchronized long readableEnd() {
        return characterEnd(written);
    }

    /** When the process last printed anything; null if it has not. */
    public Instant lastOutputAt() {
        return lastOutputAt;
    }

    /**
     * The text from byte {@code from} up to {@code max} bytes on. When the bytes at {@code from} are no longer
     * held, the text starts at the oldest held byte and {@code from} says so. Null when there is nothing past
     * {@code from} yet.
     *
     * @param all also hand out an incomplete last character (the process has ended: nothing more will come)
     */
    public synchronized JobView.Output read(long from, int max, boolean all) {
        long oldest = Math.max(0, written - ring.length);
        long start = Math.min(Math.max(from, oldest), written);
        int continuation = 0;
        while (start < written && continuation < 3 && isContinuation(at(start))) {
            start++;
            continuation++;
        }
        long end = Math.min(written, start + Math.max(1, max));
        if (!all || end < written) {
            end = Math.max(start, characterEnd(end));
        }
        if (end <= start) {
            return null;
        }
        return new JobView.Output(start, end, storable(decode(start, end)));
    }

    /** Everything held, with a note in front when the start was dropped: the job's log. */
    public synchronized String tail() {
        long oldest = Math.max(0, written - ring.length);
        JobView.Output all = read(oldest, ring.length, true);
        if (all == null) {
            return "";
        }
        return all.from() == 0 ? all.text() : "[... " + all.from() + " earlier bytes dropped ...]\n" + all.text();
    }

    /** {@code end}, moved back before a character whose bytes have not all arrived. */
    private long characterEnd(long end) {
        long oldest = Math.max(0, written - ring.length);
        long i = end - 1;
        int continuation = 0;
        while (i >= oldest && continuation < 3 && isContinuation(at(i))) {
            i--;
            continuation++;
        }
        if (i < oldest) {
            return end;
        }
        int lead = at(i) & 0xFF;
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length > continuation + 1 ? i : end;
    }

    private byte at(long offset) {
        return ring[(int) (offset % ring.length)];
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private String decode(long start, long end) {
        byte[] bytes = new byte[(int) (end - start)];
        int first = (int) (start % ring.length);
        int n = Math.min(bytes.length, ring.length - first);
        System.arraycopy(ring, first, bytes, 0, n);
        System.arraycopy(ring, 0, bytes, n, bytes.length - n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Text as PostgreSQL can store it: NUL is the one character a text column refuses, and a log that a program
     * wrote with one must not stop its outcome from being recorded.
     */
    static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }
}
