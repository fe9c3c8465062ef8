package dev.agentry.bench.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few HTTP calls the benchmark makes besides the streams: apply, start runs, read the log. */
public final class Api {
    static final String WS = "/api/workspaces/default";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public Api(String url) {
        this.url = url;
    }

    public void apply(String definition) throws IOException, InterruptedException {
        expect(send(HttpRequest.newBuilder(URI.create(url + WS + "/pipelines")).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(definition))), 200, 201);
    }

    /** Starts a run; returns its id. */
    public long start(String pipeline) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("pipeline", pipeline, "inputs", Map.of()));
        var r = expect(send(HttpRequest.newBuilder(URI.create(url + WS + "/runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))), 201);
        return JSON.readTree(r.body()).get("id").asLong();
    }

    public String runStatus(long id) throws IOException, InterruptedException {
        var r = expect(send(HttpRequest.newBuilder(URI.create(url + WS + "/runs/" + id)).GET()), 200);
        return JSON.readTree(r.body()).get("status").asText();
    }

    /** The streams connected to the server and the last id its hub has fanned out. */
    public record Streams(int count, long position) {}

    public Streams streams() throws IOException, InterruptedException {
        JsonNode body = JSON.readTree(expect(send(HttpRequest.newBuilder(URI.create(url + "/api/streams")).GET()), 200).body());
        return new Streams(body.get("streams").size(), body.get("position").asLong());
    }

    /** One event of the log as the export gives it. */
    public record Logged(long id, long tsMicros, String type, long run) {}

    /** The workspace's events after {@code since} through {@code until}, from the NDJSON export (it pages itself). */
    public List<Logged> export(long since, long until, Long run) throws IOException, InterruptedException {
        var events = new ArrayList<Logged>();
        long after = since;
        while (true) {
            String query = "?since=" + after + (run == null ? "" : "&run=" + run);
            var r = expect(send(HttpRequest.newBuilder(URI.create(url + WS + "/events/export" + query)).GET()), 200);
            int before = events.size();
            for (String line : r.body().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = JSON.readTree(line);
                long id = e.get("id").asLong();
                if (id > until) {
                    return events;
                }
                Instant ts = Instant.parse(e.get("ts").asText());
                events.add(new Logged(id, ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1_000, e.get("type").asText(),
                        e.path("run").asLong(-1)));
            }
            if (events.size() == before) {
                return events; // the export ends where the log stood when it began; nothing more is there yet
            }
            after = events.get(events.size() - 1).id();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + ServerProcess.TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int... statuses) throws IOException {
        for (int s : statuses) {
            if (r.statusCode() == s) {
                return r;
            }
        }
        throw new IOException(r.request().method() + " " + r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
    }
}
