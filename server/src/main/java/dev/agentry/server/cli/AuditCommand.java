package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "Read the audit log of external writes and check its hash chain.",
        subcommands = {AuditCommand.ListEntries.class, AuditCommand.Verify.class})
public final class AuditCommand {
    @Command(name = "list", description = "List a workspace's audit entries, oldest first.")
    static final class ListEntries extends ClientCommand {
        @Option(names = "--after", paramLabel = "ID", description = "Only entries after this id (default: from the first).")
        Long after;

        @Option(names = "--limit", paramLabel = "N", description = "At most this many entries, 1 to 1000 (default: 100).")
        Integer limit;

        @Override
        int execute(ApiClient api) {
            // Checked here as well as by the server, so the message names the option as it was typed.
            if (after != null && after < 0) {
                throw new ApiClient.Failure("--after expects an entry id, 0 or more, got " + after, 2);
            }
            if (limit != null && (limit < 1 || limit > 1000)) {
                throw new ApiClient.Failure("--limit expects a number from 1 to 1000, got " + limit, 2);
            }
            var query = new LinkedHashMap<String, String>();
            if (after != null) {
                query.put("after", Long.toString(after));
            }
            if (limit != null) {
                query.put("limit", Integer.toString(limit));
            }
            JsonNode page = api.get("/audit", query);
            if (options.json) {
                Output.json(out(), page);
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            page.path("items").forEach(e -> rows.add(List.of(e.path("id").asText(), Output.time(e, "at"), e.path("action").asText(),
                    e.path("actor").asText(), e.path("target").asText(), detail(e.path("detail")))));
            Output.table(out(), List.of("ID", "AT", "ACTION", "ACTOR", "TARGET", "DETAIL"), rows);
            if (page.hasNonNull("next")) {
                out().println("more: agentry audit list --after " + page.path("next").asText());
            }
            return 0;
        }

        private static String detail(JsonNode detail) {
            var parts = new ArrayList<String>();
            detail.properties().forEach(p -> parts.add(p.getKey() + "=" + p.getValue().asText()));
            return parts.isEmpty() ? "-" : String.join(" ", parts);
        }
    }

    @Command(name = "verify", description = "Check the whole audit chain; exit 1 naming the first broken link if it does not hold.")
    static final class Verify extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode v = api.postGlobal("/audit/verify", Map.of());
            boolean intact = v.path("intact").asBoolean(false);
            if (options.json) {
                Output.json(out(), v);
            } else if (intact) {
                out().println("intact: " + v.path("entries").asLong() + " entries, head " + v.path("head").asText());
            } else {
                out().println("BROKEN at entry " + v.path("firstBroken").asText() + ": " + v.path("why").asText());
                out().println("  expected " + v.path("expected").asText());
                out().println("  found    " + v.path("found").asText());
            }
            return intact ? 0 : 1;
        }
    }
}
