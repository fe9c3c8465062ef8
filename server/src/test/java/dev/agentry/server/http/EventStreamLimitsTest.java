package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.engine.Signals;
import dev.agentry.postgres.Database;
import dev.agentry.postgres.PostgresEventLog;
import dev.agentry.postgres.TestDatabase;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.SseStream;
import dev.agentry.server.SseStream.Frame;
import dev.agentry.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where streams meet their limits: consumers that stop reading, and resume points past retention. */
class EventStreamLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BUFFER = 100;
    private static final int RUNS = 400;

    @Test
    void a_consumer_that_stops_reading_is_cut_off_at_its_bound_and_resumes_by_id_without_losing_an_event() throws Exception {
        var events = new ServerConfig.Events(Duration.ofDays(7), Duration.ofSeconds(60), Duration.ofSeconds(1), BUFFER,
                Duration.ofMinutes(5), 1 << 20);
        try (var api = new ApiFixture(new TestServer(events))) {
            // 30 parallel steps: one run is about 90 events.
            var steps = new StringBuilder("{name: wide, steps: [");
            for (int i = 0; i < 30; i++) {
                steps.append(i == 0 ? "" : ", ").append("{id: s").append(i).append(", kind: noop}");
            }
            api.apply(steps.append("]}").toString());

            URI uri = URI.create(api.server.url);
            try (var socket = new Socket()) {
                socket.setReceiveBufferSize(4096); // a consumer that reads nothing fills its buffers quickly
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
                // HTTP/1.0: the body is the stream itself, no chunk framing; the server closes it at the end.
                socket.getOutputStream().write(("GET " + WS + "/events HTTP/1.0\r\nAuthorization: Bearer " + dev.agentry.server.TestServer.ADMIN_TOKEN
                        + "\r\nHost: " + uri.getHost()
                        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String head = readUntil(in, "event: snapshot");
                assertThat(head).startsWith("HTTP/1.1 200");

                // It stops reading; the workspace goes on: ~36,000 events, about 9 MB, more than the socket
                // buffers on both ends hold (loopback buffers grow to several megabytes).
                for (int i = 0; i < RUNS; i++) {
                    api.start("{\"pipeline\": \"wide\"}");
                    assertThat(bufferedOfEveryStream(api)).as("no stream holds more than its bound").allMatch(b -> b <= BUFFER);
                }
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                        ok(api.get(WS + "/runs?status=succeeded&limit=500"), 200).get("items")).hasSize(RUNS));
                await().atMost(WAIT).untilAsserted(() -> assertThat(bufferedOfEveryStream(api))
                        .as("the stream was dropped, and its buffer with it").isEmpty());

                // Reading again: what was already on its way, then the reason, then the end.
                byte[] rest = in.readAllBytes();
                var frames = parse(new String(rest, StandardCharsets.UTF_8));
                Frame last = frames.get(frames.size() - 1);
                assertThat(last.event()).isEqualTo("cut-off");
                assertThat(last.json().get("reason").asText()).contains("fell more than " + BUFFER + " events behind");
                long resumeAfter = last.json().get("resumeAfter").asLong();
                var received = new ArrayList<>(ids(frames));
                assertThat(received).isNotEmpty().isSorted();
                assertThat(received.get(received.size() - 1)).isEqualTo(resumeAfter);

                // Resuming where it stopped gets everything else, exactly once.
                var all = exported(api, 0);
                try (var resumed = SseStream.open(api.server.url + WS + "/events", Long.toString(resumeAfter))) {
                    long end = all.get(all.size() - 1);
                    while (received.get(received.size() - 1) < end) {
                        Frame f = resumed.next(WAIT);
                        if (f.id() != null) {
                            received.add(f.number());
                        }
                    }
                }
                long firstSeen = received.get(0);
                assertThat(received).isEqualTo(all.stream().filter(id -> id >= firstSeen).toList());
            }
        }
    }

    @Test
    void a_resume_point_past_the_retention_gets_a_gap_signal_and_a_fresh_snapshot() throws Exception {
        String url = TestDatabase.freshUrl();
        try (var api = new ApiFixture(new TestServer(TestServer.EVENTS, url)); Database db = Database.open(url, 2)) {
            api.apply("{name: one, steps: [{id: a, kind: noop}]}");
            long first = api.start("{\"pipeline\": \"one\"}");
            api.awaitRun(first, "succeeded");
            var log = new PostgresEventLog(db, new Signals(), Clock.systemUTC());
            await().atMost(WAIT).until(() -> log.position().last() >= exported(api, 0).get(exported(api, 0).size() - 1));
            Thread.sleep(5);
            int removed = log.prune(Instant.now(), 1_000); // as retention would, once these are old enough
            assertThat(removed).isPositive();
            long prunedThrough = log.position().prunedThrough();

            try (var stream = SseStream.open(api.server.url + WS + "/events", "1")) {
                Frame gap = stream.next(WAIT);
                assertThat(gap.event()).isEqualTo("gap");
                assertThat(gap.id()).as("a gap has no id: the client keeps its last one until the snapshot").isNull();
                assertThat(gap.json().get("status").asInt()).isEqualTo(410);
                assertThat(gap.json().get("oldest").asLong()).isEqualTo(prunedThrough + 1);
                Frame snapshot = stream.next(WAIT);
                assertThat(snapshot.event()).isEqualTo("snapshot");
                assertThat(snapshot.number()).isGreaterThanOrEqualTo(prunedThrough);
            }
            var export = api.server.get(WS + "/events/export?since=1");
            assertThat(export.statusCode()).isEqualTo(410);
            assertThat(JSON.readTree(export.body()).get("field").asText()).isEqualTo("since");
        }
    }

    private static List<Integer> bufferedOfEveryStream(ApiFixture api) {
        var streams = ok(api.get("/api/streams"), 200).get("streams");
        var buffered = new ArrayList<Integer>();
        streams.forEach(s -> buffered.add(s.get("buffered").asInt()));
        return buffered;
    }

    private static List<Long> exported(ApiFixture api, long since) throws IOException {
        var ids = new ArrayList<Long>();
        for (String line : api.server.get(WS + "/events/export?since=" + since).body().split("\n")) {
            if (!line.isBlank()) {
                ids.add(JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Long> ids(List<Frame> frames) {
        return frames.stream().filter(f -> f.id() != null).map(Frame::number).toList();
    }

    /** Reads up to and including the frame that contains {@code marker}. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        var seen = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("stream ended before '" + marker + "': " + seen);
            }
            seen.write(b);
            String text = seen.toString(StandardCharsets.UTF_8);
            int at = text.indexOf(marker);
            if (at >= 0 && text.indexOf("\n\n", at) > 0) {
                return text;
            }
        }
    }

    /** SSE frames in a piece of a stream that starts at a frame boundary. */
    private static List<Frame> parse(String text) {
        var frames = new ArrayList<Frame>();
        for (String block : text.split("\n\n")) {
            String id = null;
            String event = null;
            var data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            if (event != null) {
                frames.add(new Frame(id, event, data.toString()));
            }
        }
        return frames;
    }

}
