package dev.agentry.bench.events;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Many SSE streams read by a few threads, each multiplexing its share of the sockets on a selector.
 *
 * <p>Why not a virtual thread per stream: that works, but each read then costs a wake-up from the poller,
 * a mount, and a park again; on two cores shared with the server it took half a core at 1,000 streams
 * and 200 events/s, CPU that the server being measured did not have. A selector loop reads whatever is
 * ready in one pass.
 */
public final class SseClient implements AutoCloseable {
    /**
     * Streams opened before waiting for their snapshots: the server's accept queue is short, and a
     * connection it drops is retried by TCP only a second later.
     */
    private static final int CONNECT_GROUP = 50;

    private final List<SseSubscriber> subscribers = new ArrayList<>();
    private final List<ReadLoop> loops = new ArrayList<>();

    private SseClient(int threads) throws IOException {
        for (int i = 0; i < threads; i++) {
            loops.add(new ReadLoop(i));
        }
    }

    /**
     * Opens {@code count} streams on {@code path} and returns once each has received its first snapshot
     * (or failed); subscriber 0 also checks each event's {@code ts}.
     */
    public static SseClient open(InetSocketAddress server, String path, int count, int threads)
            throws IOException, InterruptedException {
        var client = new SseClient(threads);
        byte[] request = SseSubscriber.request(server.getHostString(), server.getPort(), path);
        for (int first = 0; first < count; first += CONNECT_GROUP) {
            var group = new ArrayList<SseSubscriber>();
            for (int i = first; i < Math.min(count, first + CONNECT_GROUP); i++) {
                var s = new SseSubscriber(i == 0);
                client.subscribers.add(s);
                group.add(s);
                try {
                    SocketChannel channel = SocketChannel.open(server);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.write(ByteBuffer.wrap(request));
                    channel.configureBlocking(false);
                    client.loops.get(i % threads).add(channel, s);
                } catch (IOException e) {
                    s.ended(e);
                }
            }
            for (var s : group) {
                if (!s.awaitFirstSnapshot(30)) {
                    s.ended(new IOException("no snapshot within 30 s"));
                }
            }
        }
        return client;
    }

    public List<SseSubscriber> subscribers() {
        return subscribers;
    }

    /** Closes every stream and waits for the readers to stop; what they recorded can be read afterwards. */
    @Override
    public void close() throws InterruptedException {
        for (var loop : loops) {
            loop.stop();
        }
    }

    private static final class ReadLoop implements Runnable {
        private final Selector selector;
        private final Thread thread;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private volatile boolean stopping;

        ReadLoop(int number) throws IOException {
            selector = Selector.open();
            thread = Thread.ofPlatform().daemon().name("sse-read-" + number).start(this);
        }

        void add(SocketChannel channel, SseSubscriber s) throws IOException {
            channel.register(selector, SelectionKey.OP_READ, s);
            selector.wakeup(); // a key registered during a select is only watched from the next one
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    selector.select();
                    for (SelectionKey key : selector.selectedKeys()) {
                        read(key);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | ClosedSelectorException e) {
                if (!stopping) {
                    System.err.println("sse reader stopped: " + e);
                }
            }
        }

        private void read(SelectionKey key) {
            var s = (SseSubscriber) key.attachment();
            var channel = (SocketChannel) key.channel();
            try {
                int n;
                do { // a read that did not fill the buffer most likely took all there was: the selector tells if more came
                    n = channel.read(buffer.clear());
                    if (n > 0) {
                        Instant now = Instant.now();
                        s.received(buffer.array(), n, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
                    }
                } while (n == buffer.capacity());
                if (n < 0 || s.done()) {
                    finish(key, new IOException("the server ended the stream"));
                }
            } catch (IOException | RuntimeException e) {
                finish(key, e);
            }
        }

        private void finish(SelectionKey key, Throwable why) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // it is being dropped anyway
            }
            ((SseSubscriber) key.attachment()).ended(stopping ? null : why);
        }

        void stop() throws InterruptedException {
            stopping = true;
            selector.wakeup();
            thread.join(10_000);
            for (SelectionKey key : selector.keys()) {
                finish(key, null);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to read from it
            }
        }
    }
}
