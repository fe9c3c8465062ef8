package dev.agentry.core.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * An event as the log holds it, with its id: the one schema every stream, the CLI and exports use,
 * {@code {id, ts, workspace, type, run?, step?, attempt?, data}}. Ids increase in commit order.
 *
 * @param data the event's data as JSON text, passed through as stored
 */
public record LoggedEvent(long id, Instant ts, String workspace, String type, Long run, String step, Integer attempt,
                          String data) {
    public static final String SNAPSHOT = "snapshot";

    /**
     * The event as one line of JSON. Built by hand because it is built once and sent to every subscriber:
     * the data is already JSON and is not parsed again.
     */
    public String json() {
        var out = new StringBuilder(96 + data.length());
        out.append("{\"id\":").append(id)
                .append(",\"ts\":\"").append(DateTimeFormatter.ISO_INSTANT.format(ts)).append('"');
        field(out, "workspace", workspace);
        field(out, "type", type);
        if (run != null) {
            out.append(",\"run\":").append(run);
        }
        if (step != null) {
            field(out, "step", step);
        }
        if (attempt != null) {
            out.append(",\"attempt\":").append(attempt);
        }
        return out.append(",\"data\":").append(data).append('}').toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        out.append('"');
    }
}
