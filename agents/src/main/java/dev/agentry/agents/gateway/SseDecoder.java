package dev.agentry.agents.gateway;

import java.util.Arrays;

/**
 * Server-sent events from bytes cut anywhere: the {@code data} of each event, as the stream is forwarded.
 * Lines end at CR, LF or CRLF; those bytes never occur inside a multi-byte UTF-8 character, so a line is whole
 * UTF-8 whatever the chunks were. Fields other than {@code data} are skipped; a line longer than the limit is
 * dropped rather than buffered without bound.
 */
final class SseDecoder {
    /** Receives an event's data (its data lines joined by LF) as bytes valid until it returns. */
    interface Listener {
        void onData(byte[] data, int length);
    }

    private static final int MAX_LINE = 16 << 20;

    private final Listener listener;
    private byte[] line = new byte[1024];
    private int lineLength;
    private boolean lineTooLong;
    private boolean afterCarriageReturn;
    private byte[] data = new byte[1024];
    private int dataLength = -1; // -1: the event has no data line yet

    SseDecoder(Listener listener) {
        this.listener = listener;
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n' && afterCarriageReturn) {
                afterCarriageReturn = false;
                continue;
            }
            afterCarriageReturn = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine();
            } else if (lineLength < MAX_LINE) {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
                }
                line[lineLength++] = b;
            } else {
                lineTooLong = true;
            }
        }
    }

    /** The stream ended: an event it did not close with a blank line is still delivered. */
    void finish() {
        if (lineLength > 0) {
            endLine();
        }
        dispatch();
    }

    private void endLine() {
        if (lineTooLong) {
            lineTooLong = false;
        } else if (lineLength == 0) {
            dispatch();
        } else if (startsWithData()) {
            int from = lineLength > 5 && line[5] == ' ' ? 6 : 5;
            appendData(from);
        }
        lineLength = 0;
    }

    private boolean startsWithData() {
        return lineLength >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':';
    }

    private void appendData(int from) {
        int n = lineLength - from;
        int needed = (dataLength < 0 ? 0 : dataLength + 1) + n;
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
        }
        if (dataLength < 0) {
            dataLength = 0;
        } else {
            data[dataLength++] = '\n';
        }
        System.arraycopy(line, from, data, dataLength, n);
        dataLength += n;
    }

    private void dispatch() {
        if (dataLength >= 0) {
            int n = dataLength;
            dataLength = -1;
            listener.onData(data, n);
        }
    }
}
