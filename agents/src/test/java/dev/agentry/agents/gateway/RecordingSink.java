package dev.agentry.agents.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** A response sink that keeps what it was given, and tells when the first chunk of the body arrived. */
final class RecordingSink implements ResponseSink {
    final CountDownLatch firstChunk = new CountDownLatch(1);
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    volatile int status;
    volatile Map<String, String> headers;
    volatile boolean finished;

    @Override
    public void start(int status, Map<String, String> headers) {
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    @Override
    public synchronized void write(byte[] chunk, int offset, int length) {
        body.write(chunk, offset, length);
        firstChunk.countDown();
    }

    @Override
    public void finish() {
        finished = true;
    }

    synchronized String text() {
        return body.toString(StandardCharsets.UTF_8);
    }
}
