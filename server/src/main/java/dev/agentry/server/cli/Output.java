package dev.agentry.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.server.http.ApiJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Tables for people, JSON for scripts. */
final class Output {
    private Output() {}

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(ApiJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints rows under headers, each column as wide as its widest cell. */
    static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        var all = new ArrayList<List<String>>();
        all.add(headers);
        all.addAll(rows);
        for (var row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (var row : all) {
            var sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                sb.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    /** "2026-11-21T05:10:42.123Z" -> "2026-11-21 05:10:42". */
    static String time(JsonNode node, String field) {
        String t = text(node, field);
        return t.length() >= 19 ? t.substring(0, 10) + " " + t.substring(11, 19) : t;
    }
}
