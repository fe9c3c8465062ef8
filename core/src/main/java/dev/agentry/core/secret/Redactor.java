package dev.agentry.core.secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Takes known secret values out of text before it is kept or shown: a step's log, an event, an error message.
 * Every occurrence of a value becomes {@value #MASK}; where two values overlap, the longer one is taken out whole.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are left alone. A value like {@code 1}, {@code on} or
 * {@code dev} occurs all over ordinary output: masking it would garble the log, and every {@code ***} standing
 * where {@code on} used to be would tell the reader the secret better than the value itself. Such a value is no
 * secret worth the name; {@code docs/secrets.md} says so to the people who store them.
 *
 * <p>Output arrives in chunks that can cut a value in two: {@link #stream} holds back the end of a chunk that may
 * be the start of a value (never more than the longest value less one byte) until the next chunk tells.
 */
public final class Redactor {
    public static final String MASK = "***";
    public static final int MIN_LENGTH = 4;
    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.UTF_8);
    private static final Redactor NONE = new Redactor(List.of());

    /** Longest first, so that at one position the longest value wins. */
    private final List<String> values;
    private final byte[][] encoded;
    private final int longest;

    private Redactor(List<String> values) {
        this.values = values;
        this.encoded = values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.longest = Arrays.stream(encoded).mapToInt(b -> b.length).max().orElse(0);
    }

    /** A redactor for these values; nulls, duplicates and values shorter than {@link #MIN_LENGTH} are dropped. */
    public static Redactor of(Collection<String> values) {
        var kept = new LinkedHashSet<String>();
        for (String v : values) {
            if (v != null && v.codePointCount(0, v.length()) >= MIN_LENGTH) {
                kept.add(v);
            }
        }
        if (kept.isEmpty()) {
            return NONE;
        }
        var sorted = new ArrayList<>(kept);
        sorted.sort(Comparator.comparingInt((String v) -> v.getBytes(StandardCharsets.UTF_8).length).reversed());
        return new Redactor(List.copyOf(sorted));
    }

    /** Redacts nothing. */
    public static Redactor none() {
        return NONE;
    }

    /** This redactor and another together: for a job that sees secrets of two sources. */
    public Redactor and(Redactor other) {
        if (other.values.isEmpty()) {
            return this;
        }
        var all = new ArrayList<>(values);
        all.addAll(other.values);
        return of(all);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** How many values are taken out (never the values themselves: a redactor is printed in logs). */
    public int size() {
        return values.size();
    }

    /** The text with every known value replaced by {@value #MASK}; null stays null. */
    public String redact(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String v : values) {
                if (text.startsWith(v, i)) {
                    hit = v;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, i).append(MASK);
            i += hit.length();
            copied = i;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** Where a {@link Stream} passes redacted bytes on: {@code StepOutput::write}, {@code JobOutput::write}. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] bytes, int off, int len);
    }

    /** A stream that redacts what is written to it and passes the rest on to {@code sink}. */
    public Stream stream(Sink sink) {
        return new Stream(sink);
    }

    /**
     * Redacts a byte stream written in arbitrary chunks. Bytes that may begin a value are held until the next
     * write shows whether they do; {@link #finish()} passes on what is held when no more output will come.
     * Values are matched as UTF-8 bytes: a value's bytes can only match at a character boundary, so cutting a
     * chunk inside a character does no harm. Safe for several writing threads (each write is whole).
     */
    public final class Stream {
        private final Sink sink;
        private byte[] held = new byte[0];

        private Stream(Sink sink) {
            this.sink = sink;
        }

        public synchronized void write(byte[] bytes, int off, int len) {
            if (len <= 0) {
                return;
            }
            if (encoded.length == 0) {
                sink.write(bytes, off, len);
                return;
            }
            byte[] window;
            if (held.length == 0) {
                window = Arrays.copyOfRange(bytes, off, off + len);
            } else {
                window = Arrays.copyOf(held, held.length + len);
                System.arraycopy(bytes, off, window, held.length, len);
            }
            int kept = pass(window, false);
            held = Arrays.copyOfRange(window, kept, window.length);
        }

        /** Passes on what is held: the output has ended, so a partial value there is not a value. */
        public synchronized void finish() {
            if (held.length > 0) {
                pass(held, true);
                held = new byte[0];
            }
        }

        /** How many bytes are held back now (at most the longest value's length less one). */
        public synchronized int held() {
            return held.length;
        }

        /**
         * Passes {@code window} on, masked, up to the first position where a value might start but the window
         * ends first; returns that position (the window's length when nothing needs holding).
         */
        private int pass(byte[] window, boolean last) {
            var out = new java.io.ByteArrayOutputStream(window.length);
            int i = 0;
            int plain = 0; // where the bytes not yet copied out start
            while (i < window.length) {
                if (!last && cutShort(window, i)) {
                    break;
                }
                int full = fullAt(window, i);
                if (full > 0) {
                    out.write(window, plain, i - plain);
                    out.write(MASK_BYTES, 0, MASK_BYTES.length);
                    i += full;
                    plain = i;
                } else {
                    i++;
                }
            }
            out.write(window, plain, i - plain);
            if (out.size() > 0) {
                sink.write(out.toByteArray(), 0, out.size());
            }
            return i;
        }
    }

    /**
     * Whether a value longer than what is left of the window starts with all of it: then the next bytes decide
     * (and a longer value must win over a shorter one already complete here).
     */
    private boolean cutShort(byte[] window, int at) {
        int left = window.length - at;
        if (left >= longest) {
            return false;
        }
        for (byte[] v : encoded) {
            if (v.length > left && Arrays.equals(v, 0, left, window, at, window.length)) {
                return true;
            }
        }
        return false;
    }

    /** The length of the longest value that occurs whole at {@code at}; 0 when none does. */
    private int fullAt(byte[] window, int at) {
        for (byte[] v : encoded) {
            if (v.length <= window.length - at && Arrays.equals(v, 0, v.length, window, at, at + v.length)) {
                return v.length;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "Redactor[" + values.size() + " values]";
    }
}
