package dev.agentry.core.exec;

import java.nio.charset.StandardCharsets;

/** The last {@code capacity} bytes written to it: a step's log stays bounded however much it prints. */
final class LogTail {
    private final byte[] buffer;
    private long written;

    LogTail(int capacity) {
        this.buffer = new byte[capacity];
    }

    synchronized void write(byte[] bytes, int off, int len) {
        for (int i = 0; i < len; i++) {
            buffer[(int) (written++ % buffer.length)] = bytes[off + i];
        }
    }

    /** The kept text, prefixed with a note when the start was dropped. */
    synchronized String text() {
        if (written <= buffer.length) {
            return storable(new String(buffer, 0, (int) written, StandardCharsets.UTF_8));
        }
        int start = (int) (written % buffer.length);
        byte[] ordered = new byte[buffer.length];
        System.arraycopy(buffer, start, ordered, 0, buffer.length - start);
        System.arraycopy(buffer, 0, ordered, buffer.length - start, start);
        int from = 0;
        while (from < ordered.length && (ordered[from] & 0xC0) == 0x80) {
            from++; // do not start in the middle of a UTF-8 sequence
        }
        return "[... " + (written - buffer.length + from) + " earlier bytes dropped ...]\n"
                + storable(new String(ordered, from, ordered.length - from, StandardCharsets.UTF_8));
    }

    /**
     * Text as PostgreSQL can store it: NUL is the one character a text column refuses, and a log or
     * output that a program wrote with one must not stop its outcome from being recorded.
     */
    static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }
}
