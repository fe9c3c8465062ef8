package dev.agentry.agents.stub;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request the {@link ScriptedModelServer} received, as it came over the wire.
 *
 * @param headers  header names in lower case
 * @param json     the body parsed as JSON, or null when it was not JSON
 * @param received when the request's headers arrived
 * @param nanos    {@link System#nanoTime()} at the same moment, for measuring gaps between requests
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String body,
                              JsonNode json, Instant received, long nanos) {
    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase());
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** Whether the client asked for a streamed answer. */
    public boolean streaming() {
        return json != null && json.path("stream").asBoolean(false);
    }
}
