package dev.agentry.core.exec;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * What a running command prints: kept as a bounded tail for the attempt's record, and handed out in
 * chunks while it runs so that it can be streamed as {@code step.log} events. Streaming stops after
 * {@code streamLimit} bytes per attempt (the tail is still kept), and at most {@code pendingLimit} bytes
 * wait between two chunks, so a command that floods its output cannot flood the event log or memory.
 */
public final class StepOutput {
    /** A piece of output; {@code seq} numbers an attempt's chunks from 0, so a gap is visible. */
    public record Chunk(String text, int seq) {}

    private final LogTail tail;
    private final long streamLimit;
    private final int pendingLimit;
    private final Clock clock;
    private byte[] pending = new byte[1024];
    private int pendingLength;
    private long streamed;
    /** Bytes left out because they came faster than chunks are taken, since the last chunk. */
    private long outpaced;
    private boolean overLimit;
    private boolean overLimitNoted;
    private int chunks;
    private volatile Instant lastOutputAt;

    public StepOutput(int tailCapacity, long streamLimit, int pendingLimit, Clock clock) {
        this.tail = new LogTail(tailCapacity);
        this.streamLimit = streamLimit;
        this.pendingLimit = pendingLimit;
        this.clock = clock;
    }

    public synchronized void write(byte[] bytes, int off, int len) {
        tail.write(bytes, off, len);
        lastOutputAt = clock.instant();
        long underLimit = streamLimit - streamed - pendingLength;
        int kept = (int) Math.max(0, Math.min(len, Math.min(pendingLimit - pendingLength, underLimit)));
        if (kept > 0) {
            if (pendingLength + kept > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + kept));
            }
            System.arraycopy(bytes, off, pending, pendingLength, kept);
            pendingLength += kept;
        }
        if (kept < len) {
            if (underLimit <= kept) {
                overLimit = true;
            } else {
                outpaced += len - kept;
            }
        }
    }

    /** The output since the last chunk (whole UTF-8 characters only), or null if there is none. */
    public synchronized Chunk take() {
        int end = completeCharacters();
        var text = new StringBuilder(end == 0 ? "" : LogTail.storable(new String(pending, 0, end, StandardCharsets.UTF_8)));
        System.arraycopy(pending, end, pending, 0, pendingLength - end);
        pendingLength -= end;
        streamed += end;
        if (outpaced > 0) {
            text.append("\n[... ").append(outpaced).append(" bytes came faster than they could be streamed; the log keeps the tail ...]\n");
            outpaced = 0;
        }
        if (overLimit && !overLimitNoted && pendingLength == 0) {
            text.append("\n[... streaming stopped after ").append(streamLimit).append(" bytes; the log keeps the tail ...]\n");
            overLimitNoted = true;
        }
        return text.isEmpty() ? null : new Chunk(text.toString(), chunks++);
    }

    /** How many pending bytes end on a character boundary. */
    private int completeCharacters() {
        int end = pendingLength;
        int i = end - 1;
        int continuation = 0;
        while (i >= 0 && continuation < 3 && (pending[i] & 0xC0) == 0x80) {
            i--;
            continuation++;
        }
        if (i < 0) {
            return end;
        }
        int lead = pending[i] & 0xFF;
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length > continuation + 1 ? i : end;
    }

    /** When the command last printed anything; null if it has not. */
    public Instant lastOutputAt() {
        return lastOutputAt;
    }

    public String text() {
        return tail.text();
    }
}
