package dev.agentry.runners.harness;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a process reports through files: its step outputs ({@code AGENTRY_OUTPUTS}) and its progress
 * ({@code AGENTRY_PROGRESS}). The formats are the ones command steps have always used, so a step's script works
 * the same whichever pool runs it.
 */
final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OUTPUTS_BYTES = 1 << 20;
    private static final int MAX_PROGRESS_BYTES = 4096;

    private final Path outputs;
    private final Path progress;
    private FileTime progressSeen;

    Reports(Path outputs, Path progress) {
        this.outputs = outputs;
        this.progress = progress;
    }

    Path outputsFile() {
        return outputs;
    }

    Path progressFile() {
        return progress;
    }

    /**
     * The progress reported, if it changed since the last call; null otherwise. A file that is not a small JSON
     * object is ignored (the process may be halfway through writing it).
     */
    synchronized Map<String, Object> progress() {
        try {
            if (!Files.exists(progress)) {
                return null;
            }
            FileTime modified = Files.getLastModifiedTime(progress);
            if (modified.equals(progressSeen) || Files.size(progress) > MAX_PROGRESS_BYTES) {
                return null;
            }
            JsonNode node = JSON.readTree(Files.readString(progress, StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                return null;
            }
            progressSeen = modified;
            return JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@code key=value} lines, or one JSON object whose values become strings (nested ones as JSON).
     *
     * @throws IllegalArgumentException when the file is too large or neither format
     */
    Map<String, String> outputs() throws IOException {
        var result = new LinkedHashMap<String, String>();
        if (!Files.exists(outputs)) {
            return result;
        }
        if (Files.size(outputs) > MAX_OUTPUTS_BYTES) {
            throw new IllegalArgumentException("the outputs file is larger than " + MAX_OUTPUTS_BYTES + " bytes");
        }
        String text = Files.readString(outputs, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("{")) {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("expected one JSON object");
            }
            node.properties().forEach(e -> result.put(JobOutput.storable(e.getKey()),
                    JobOutput.storable(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
            return result;
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
            }
            result.put(JobOutput.storable(line.substring(0, eq).trim()), JobOutput.storable(line.substring(eq + 1)));
        }
        return result;
    }
}
