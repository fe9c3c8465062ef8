package dev.agentry.agents.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;

/**
 * JSON in one spelling: object keys in code-unit order at every depth, no whitespace. Two requests of one
 * conversation that carry the same message then store the same text for it, whatever order the agent's client
 * wrote its keys in, so the conversation's prompt can be stored as a delta.
 */
public final class CanonicalJson {
    /**
     * Prompts carry long strings (files, base64 images) and the gateway admits bodies up to 32 MiB, beyond
     * Jackson's default limit of 20 million characters per string.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 << 20).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CanonicalJson() {}

    /** A reader with the gateway's limits: strings as long as the largest body it admits. */
    public static com.fasterxml.jackson.databind.ObjectReader reader() {
        return MAPPER.reader();
    }

    public static String write(JsonNode node) {
        return write(node, null);
    }

    /** The canonical text of an object without one of its top-level fields (the head of a request: all but its messages). */
    static String write(JsonNode node, String omittedField) {
        var out = new StringWriter(256);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            write(g, node, omittedField);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static JsonNode read(byte[] json, int offset, int length) throws JsonProcessingException {
        try {
            return MAPPER.readTree(json, offset, length);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator g, JsonNode node, String omittedField) throws IOException {
        if (node.isObject()) {
            var names = new ArrayList<String>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            g.writeStartObject();
            for (String name : names) {
                if (!name.equals(omittedField)) {
                    g.writeFieldName(name);
                    write(g, node.get(name), null);
                }
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode element : node) {
                write(g, element, null);
            }
            g.writeEndArray();
        } else {
            g.writeTree(node);
        }
    }
}
