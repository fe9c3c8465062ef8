package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.model.ModelReply;
import dev.agentry.agents.model.ModelRequest;
import dev.agentry.core.spend.Usage;
import java.util.ArrayList;
import java.util.List;

/** A scripted model: answers each call with the next step of its script and keeps every request it was sent. */
final class FakeModel implements ModelProvider {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Usage USAGE = new Usage(100, 20, 0, 0);

    /** One scripted answer; it may look at the request, throw, or do something in between (advance a clock). */
    interface Step {
        ModelReply answer(ModelRequest request) throws ModelCallFailed;
    }

    private final List<Step> script;
    private final Step whenDone;
    private final List<ModelRequest> requests = new ArrayList<>();

    private FakeModel(List<Step> script, Step whenDone) {
        this.script = List.copyOf(script);
        this.whenDone = whenDone;
    }

    static FakeModel scripted(Step... steps) {
        return new FakeModel(List.of(steps), request -> {
            throw new AssertionError("the model was called more often than scripted: " + request.messages().size() + " messages");
        });
    }

    /** Answers the script, then the same last step forever. */
    static FakeModel repeating(Step... steps) {
        return new FakeModel(List.of(steps), steps[steps.length - 1]);
    }

    @Override
    public synchronized ModelReply complete(ModelRequest request) throws ModelCallFailed {
        requests.add(request);
        int call = requests.size();
        return (call <= script.size() ? script.get(call - 1) : whenDone).answer(request);
    }

    synchronized List<ModelRequest> requests() {
        return List.copyOf(requests);
    }

    static Step call(String id, String tool, String inputJson) {
        return request -> reply(id, tool, inputJson);
    }

    static ModelReply reply(String id, String tool, String inputJson) {
        return new ModelReply(List.of(new Conversation.ToolCall(id, tool, json(inputJson))), ModelReply.StopReason.TOOL_USE,
                USAGE);
    }

    static Step say(String text) {
        return request -> new ModelReply(List.of(new Conversation.Text(text)), ModelReply.StopReason.END_TURN, USAGE);
    }

    static Step fail(ModelCallFailed.Reason reason, String message) {
        return request -> {
            throw new ModelCallFailed(reason, 402, message, null);
        };
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The tool results the last request carried, by call id order. */
    static List<Conversation.ToolResult> results(ModelRequest request) {
        return MessageJson.parts(request.messages(), Conversation.ToolResult.class);
    }

    static Conversation.ToolResult result(ModelRequest request, String callId) {
        return results(request).stream().filter(r -> r.callId().equals(callId)).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + callId + " in " + request.messages()));
    }
}
