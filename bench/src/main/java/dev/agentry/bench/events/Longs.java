package dev.agentry.bench.events;

import java.util.Arrays;

/** A growable array of longs: millions of receipts without a boxed Long each. */
public final class Longs {
    private long[] values = new long[1024];
    private int size;

    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public long get(int i) {
        return values[i];
    }

    public int size() {
        return size;
    }

    /** The values sorted, in a new array of exactly {@link #size} elements. */
    public long[] sorted() {
        long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }

    /** The value at quantile {@code q} (nearest rank) of an ascending array; NaN when empty. */
    public static double quantile(long[] ascending, double q) {
        if (ascending.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * ascending.length);
        return ascending[Math.max(0, Math.min(ascending.length - 1, rank - 1))];
    }
}
