package dev.agentry.agents.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A model call as the agent sent it.
 *
 * @param body the request as parsed; never changed (the gateway's cache hints go into a copy), so that its
 *             prompt items are those the agent wrote and stay identical from one call of a conversation to the next
 */
public record GatewayRequest(String model, boolean stream, ObjectNode body) {
    /**
     * The prompt as canonical JSON items: first the head (everything but {@code messages}: system prompt, tools,
     * settings), then each message in order.
     */
    public List<String> promptItems() {
        JsonNode messages = body.get("messages");
        var items = new ArrayList<String>(messages.size() + 1);
        items.add(CanonicalJson.write(body, "messages"));
        for (JsonNode message : messages) {
            items.add(CanonicalJson.write(message));
        }
        return items;
    }
}
