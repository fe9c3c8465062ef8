package dev.agentry.core.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * An event as the log holds it, with its id: the one schema every stream, the CLI and exports use,
 * {@code {id, ts, workspace, type, run?, step?, attempt?, data}}. Ids increase in commit order.
 *
 * <p>One event goes to every subscriber of a node, so its JSON and its Server-Sent Events frame are built
 * once, here, and shared: a thousand streams cost a thousand writes of the same bytes, not a thousand
 * encodings.
 */
public final class LoggedEvent {
    public static final String SNAPSHOT = "snapshot";

    private final long id;
    private final Instant ts;
    private final String workspace;
    private final String type;
    private final Long run;
    private final String step;
    private final Integer attempt;
    private final String data;
    private final String json;
    private final byte[] sseFrame;

    /** @param data the event's data as JSON text, passed through as stored */
    public LoggedEvent(long id, Instant ts, String workspace, String type, Long run, String step, Integer attempt, String data) {
        this.id = id;
        this.ts = Objects.requireNonNull(ts);
        this.workspace = Objects.requireNonNull(workspace);
        this.type = Objects.requireNonNull(type);
        this.run = run;
        this.step = step;
        this.attempt = attempt;
        this.data = Objects.requireNonNull(data);
        this.json = render();
        // The data line holds the JSON as is: PostgreSQL's JSON text and the fields above contain no raw newline.
        this.sseFrame = ("id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    public long id() {
        return id;
    }

    public Instant ts() {
        return ts;
    }

    public String workspace() {
        return workspace;
    }

    public String type() {
        return type;
    }

    public Long run() {
        return run;
    }

    public String step() {
        return step;
    }

    public Integer attempt() {
        return attempt;
    }

    /** The event's data as JSON text. */
    public String data() {
        return data;
    }

    /** The event as one line of JSON. */
    public String json() {
        return json;
    }

    /** The event as one Server-Sent Events frame (id, event name, data), UTF-8. Shared: do not change it. */
    public byte[] sseFrame() {
        return sseFrame;
    }

    private String render() {
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

    @Override
    public boolean equals(Object o) {
        return o instanceof LoggedEvent e && e.id == id && e.json.equals(json);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return json;
    }
}
