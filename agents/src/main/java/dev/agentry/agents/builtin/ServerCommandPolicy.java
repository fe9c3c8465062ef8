package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The workspace's policy on the agent's commands, asked of the server through the gateway with the run-scoped
 * token ({@code POST {gateway}/agentry/v1/policy}). A command the policy denies, or that needs a human's approval,
 * does not start: the agent is told why and may ask a human ({@code ask_human}) or try another way. When the
 * server cannot be asked, the command does not start either.
 */
public final class ServerCommandPolicy implements CommandPolicy {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI endpoint;
    private final String token;

    public ServerCommandPolicy(URI gateway, String token) {
        this.endpoint = URI.create(gateway.toString().replaceAll("/+$", "") + "/agentry/v1/policy");
        this.token = token;
    }

    @Override
    public Verdict check(String command) {
        try {
            var body = JSON.writeValueAsString(Map.of("kind", "run-command", "command", command));
            var response = HTTP.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Verdict.deny("the workspace's policy could not be asked (HTTP " + response.statusCode() + ")");
            }
            var decision = JSON.readTree(response.body());
            String verdict = decision.path("verdict").asText();
            String by = decision.path("by").asText("the policy");
            String reason = decision.path("reason").asText("");
            return switch (verdict) {
                case "allow" -> Verdict.allow(by);
                case "needs-approval" -> Verdict.deny(by + " needs a human's approval for this command"
                        + (reason.isEmpty() ? "" : " (" + reason + ")") + "; ask_human for it, or do without");
                default -> Verdict.deny("denied by " + by + (reason.isEmpty() ? "" : ": " + reason));
            };
        } catch (java.io.IOException e) {
            return Verdict.deny("the workspace's policy could not be asked: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.deny("interrupted while asking the policy");
        }
    }

    /** Both must allow: the kind's allow-list, then the workspace's policy. */
    public static CommandPolicy both(CommandPolicy first, CommandPolicy second) {
        return command -> {
            var a = first.check(command);
            return a.allowed() ? second.check(command) : a;
        };
    }
}
