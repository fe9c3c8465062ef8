package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.ToolInput.optionalStrings;
import static dev.agentry.agents.builtin.ToolInput.required;
import static dev.agentry.agents.builtin.ToolInput.requiredText;
import static dev.agentry.agents.builtin.ToolInput.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.builtin.AgentResult.Limit;
import dev.agentry.agents.builtin.AgentTool.Output;
import dev.agentry.agents.builtin.AgentTool.Refused;
import dev.agentry.agents.builtin.Checkpoints.CheckpointFailed;
import dev.agentry.agents.builtin.GitTree.GitFailed;
import dev.agentry.agents.model.Conversation;
import dev.agentry.agents.model.Conversation.Message;
import dev.agentry.agents.model.Conversation.Part;
import dev.agentry.agents.model.Conversation.Role;
import dev.agentry.agents.model.Conversation.Text;
import dev.agentry.agents.model.Conversation.ToolCall;
import dev.agentry.agents.model.Conversation.ToolResult;
import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.agents.model.ModelReply;
import dev.agentry.agents.model.ModelRequest;
import dev.agentry.core.spend.Usage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Agentry's built-in tool-using agent: asks the model, runs the tools it calls, and goes on until the model
 * finishes, asks a human, or a limit stops it. Every turn is checkpointed with the tree's patch, so an attempt that
 * crashed resumes from its last turn on a fresh checkout without asking the model again for what it already did.
 *
 * <p>A turn is one model call and the tool calls of its reply. {@code finish} and {@code ask_human} end the
 * attempt; the other tools run in the order the model called them.
 */
public final class BuiltinAgent {
    /** Commands the agent runs are killed after this long. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    private static final int DIAGNOSTIC_CALLS = 10;

    static final String DEFAULT_SYSTEM = """
            You are a careful software engineer working in a git working tree through tools. Explore with list_files, \
            search and read_file before you change anything; change files with edit_file (exact, unique old_text) or \
            write_file; check your work with run_command when a command is allowed. Keep changes small and focused. \
            When the task is done, call finish with a short answer saying what you changed. If you cannot go on \
            without a decision only a human can make, call ask_human with one precise question.""";

    /** What one turn did, for a progress log: the tools it called and what the model call used. */
    public record TurnLog(int turn, List<String> tools, Usage usage) {
        public String line() {
            return "turn " + turn + ": " + (tools.isEmpty() ? "(no tools)" : String.join(", ", tools)) + " — "
                    + usage.prompt() + " prompt tokens, " + usage.output() + " output tokens";
        }
    }

    private final AgentSettings settings;
    private final ModelProvider model;
    private final CommandPolicy policy;
    private final Clock clock;
    private final Consumer<TurnLog> log;

    /** An agent whose commands are checked by the settings' allow-list. */
    public BuiltinAgent(AgentSettings settings, ModelProvider model, Clock clock) {
        this(settings, model, new CommandAllowList(settings.commands()), clock, turn -> {});
    }

    public BuiltinAgent(AgentSettings settings, ModelProvider model, CommandPolicy policy, Clock clock,
                        Consumer<TurnLog> log) {
        this.settings = settings;
        this.model = model;
        this.policy = policy;
        this.clock = clock;
        this.log = log;
    }

    /**
     * Runs one attempt.
     *
     * @param task        the task prompt; only used when there is no checkpoint yet
     * @param tree        the git working tree to work in; null for an inline agent, which may only ask and finish
     * @param checkpoints where turns are saved and, when the attempt was interrupted, loaded from
     * @param answer      a human's answer to the question the last attempt asked; null when none
     */
    public AgentResult run(String task, Path tree, Checkpoints checkpoints, String answer) {
        Instant deadline = clock.instant().plus(settings.wallTime());
        GitTree git;
        try {
            git = tree == null ? null : GitTree.open(tree);
        } catch (RuntimeException e) {
            return new AgentResult.Failed("the working tree cannot be used: " + e.getMessage());
        }
        try {
            return new Attempt(git, tree == null ? null : new WorkTree(tree), checkpoints, deadline).run(task, answer);
        } catch (CheckpointFailed e) {
            return new AgentResult.Failed("checkpoint: " + e.getMessage());
        } catch (GitFailed e) {
            return new AgentResult.Failed("the working tree: " + e.getMessage());
        } finally {
            if (git != null) {
                git.close();
            }
        }
    }

    /** The state of one running attempt. */
    private final class Attempt {
        private final GitTree git;
        private final Checkpoints checkpoints;
        private final Instant deadline;
        private final Map<String, AgentTool> tools = new LinkedHashMap<>();
        private final List<Message> conversation = new ArrayList<>();
        private final List<Message> unsaved = new ArrayList<>();
        private int turn;
        private Usage total = Usage.NONE;
        private String fingerprint;

        Attempt(GitTree git, WorkTree tree, Checkpoints checkpoints, Instant deadline) {
            this.git = git;
            this.checkpoints = checkpoints;
            this.deadline = deadline;
            List<AgentTool> offered = new ArrayList<>();
            if (tree != null) {
                offered.addAll(FileTools.all(tree));
                offered.add(new RunCommand(tree, policy, COMMAND_TIMEOUT));
            }
            offered.add(new AskHuman());
            offered.add(new Finish());
            offered.stream().filter(t -> settings.allows(t.name())).forEach(t -> tools.put(t.name(), t));
        }

        AgentResult run(String task, String answer) {
            Optional<Checkpoints.Saved> saved = checkpoints.load();
            if (saved.isEmpty()) {
                add(Message.user(task));
            } else {
                conversation.addAll(saved.get().messages());
                turn = saved.get().turn();
                if (saved.get().patch() != null && git != null) {
                    try {
                        git.apply(saved.get().patch());
                    } catch (GitFailed e) {
                        return new AgentResult.Failed("the checkpointed changes cannot be restored on this tree: "
                                + e.getMessage());
                    }
                }
                Optional<AgentResult> ended = resume(answer);
                if (ended.isPresent()) {
                    return ended.get();
                }
            }
            fingerprint = git == null ? null : git.snapshot().tree();
            int idle = 0;
            while (true) {
                Optional<AgentResult> limit = limitReached(idle);
                if (limit.isPresent()) {
                    return limit.get();
                }
                ModelReply reply;
                try {
                    reply = model.complete(new ModelRequest(settings.model(), system(), merged(conversation),
                            tools.values().stream().map(AgentTool::spec).toList(), settings.maxReplyTokens()));
                } catch (ModelCallFailed e) {
                    return e.reason() == ModelCallFailed.Reason.BUDGET ? new AgentResult.Paused(e.getMessage())
                            : new AgentResult.Failed("model call failed (" + e.reason().name().toLowerCase() + "): "
                                    + e.getMessage());
                }
                turn++;
                Usage used = reply.usage() == null ? Usage.NONE : reply.usage();
                total = total.plus(used);
                add(reply.message());
                List<ToolCall> calls = reply.parts().stream().filter(ToolCall.class::isInstance)
                        .map(ToolCall.class::cast).toList();
                if (calls.isEmpty()) {
                    if (reply.stop() == ModelReply.StopReason.MAX_TOKENS) {
                        add(Message.user("Your reply was cut off at " + settings.maxReplyTokens()
                                + " tokens. Go on, in smaller steps."));
                        save();
                        log.accept(new TurnLog(turn, List.of(), used));
                        idle++;
                        continue;
                    }
                    save();
                    log.accept(new TurnLog(turn, List.of(), used));
                    return new AgentResult.Finished(text(reply.parts()), Map.of(), total, turn);
                }
                Ending ending = null;
                List<Part> results = new ArrayList<>();
                for (ToolCall call : calls) {
                    if (ending != null) {
                        results.add(new ToolResult(call.id(), "not run: the turn ended with " + ending.tool(), true));
                        continue;
                    }
                    try {
                        ending = ending(call);
                    } catch (Refused e) {
                        results.add(new ToolResult(call.id(), e.getMessage(), true));
                        continue;
                    }
                    if (ending instanceof Finish.Done) {
                        results.add(new ToolResult(call.id(), "finished", false));
                    } else if (ending == null) {
                        AgentTool tool = tools.get(call.name());
                        Output out = tool == null
                                ? Output.error("unknown tool " + call.name() + "; available: " + String.join(", ", tools.keySet()))
                                : tool.call(call.input());
                        results.add(new ToolResult(call.id(), out.text(), out.error()));
                    }
                }
                if (!results.isEmpty()) {
                    add(new Message(Role.USER, results));
                }
                log.accept(new TurnLog(turn, calls.stream().map(ToolCall::name).toList(), used));
                if (ending instanceof AskHuman.Question q) {
                    // the harness commits the tree when the process ends, so the next attempt starts from it
                    checkpoints.save(turn, unsaved, null);
                    unsaved.clear();
                    return new AgentResult.Asked(q.question());
                }
                String before = fingerprint;
                save();
                if (ending instanceof Finish.Done done) {
                    return new AgentResult.Finished(done.answer(), done.outputs(), total, turn);
                }
                idle = git != null && !fingerprint.equals(before) ? 0 : idle + 1;
            }
        }

        /**
         * Picks up a conversation restored from a checkpoint: an attempt that already ended ends the same way
         * again, a pending question takes the human's answer as its tool result, and calls cut off by a crash are
         * answered as not run.
         */
        private Optional<AgentResult> resume(String answer) {
            int last = lastAssistant();
            if (last < 0) {
                return Optional.empty();
            }
            Message assistant = conversation.get(last);
            List<ToolCall> calls = assistant.parts().stream().filter(ToolCall.class::isInstance)
                    .map(ToolCall.class::cast).toList();
            if (calls.isEmpty() && last == conversation.size() - 1) {
                return Optional.of(new AgentResult.Finished(text(assistant.parts()), Map.of(), total, turn));
            }
            Map<String, ToolResult> answered = new HashMap<>();
            MessageJson.parts(conversation.subList(last + 1, conversation.size()), ToolResult.class)
                    .forEach(r -> answered.put(r.callId(), r));
            List<Part> missing = new ArrayList<>();
            for (ToolCall call : calls) {
                ToolResult result = answered.get(call.id());
                if (call.name().equals("finish") && result != null && !result.error()) {
                    Finish.Done done = (Finish.Done) new Finish().parse(call.input());
                    return Optional.of(new AgentResult.Finished(done.answer(), done.outputs(), total, turn));
                }
                if (result != null) {
                    continue;
                }
                if (call.name().equals("ask_human")) {
                    String question = call.input().path("question").asText("");
                    if (answer == null) {
                        return Optional.of(new AgentResult.Asked(question));
                    }
                    missing.add(new ToolResult(call.id(), answer, false));
                } else {
                    missing.add(new ToolResult(call.id(), "not run: the attempt was interrupted", true));
                }
            }
            if (!missing.isEmpty()) {
                add(new Message(Role.USER, missing));
            }
            return Optional.empty();
        }

        private Optional<AgentResult> limitReached(int idle) {
            Limit limit = null;
            String why = null;
            if (turn >= settings.maxTurns()) {
                limit = Limit.MAX_TURNS;
                why = turn + " turns, the most allowed";
            } else if (total.prompt() + total.output() >= settings.maxTokens()) {
                limit = Limit.MAX_TOKENS;
                why = (total.prompt() + total.output()) + " tokens used of " + settings.maxTokens();
            } else if (!clock.instant().isBefore(deadline)) {
                limit = Limit.WALL_TIME;
                why = "worked " + settings.wallTime() + ", the most allowed";
            } else if (idle >= settings.noProgressTurns()) {
                limit = Limit.NO_PROGRESS;
                why = idle + " turns in a row called tools but changed no file";
            }
            return limit == null ? Optional.empty() : Optional.of(new AgentResult.Stopped(limit, why + " (after turn "
                    + turn + "); last tool calls:\n" + lastCalls()));
        }

        private String lastCalls() {
            Map<String, ToolResult> results = new HashMap<>();
            MessageJson.parts(conversation, ToolResult.class).forEach(r -> results.put(r.callId(), r));
            List<ToolCall> calls = MessageJson.parts(conversation, ToolCall.class);
            List<ToolCall> recent = calls.subList(Math.max(0, calls.size() - DIAGNOSTIC_CALLS), calls.size());
            if (recent.isEmpty()) {
                return "(none)";
            }
            return recent.stream().map(c -> {
                ToolResult r = results.get(c.id());
                String outcome = r == null ? "no result" : (r.error() ? "error: " : "ok: ") + firstLine(r.content());
                return "- " + c.name() + " " + cut(String.valueOf(c.input()), 120) + " → " + outcome;
            }).collect(Collectors.joining("\n"));
        }

        private Ending ending(ToolCall call) {
            AgentTool tool = tools.get(call.name());
            return tool instanceof EndingTool ending ? ending.parse(call.input() == null ? null : call.input()) : null;
        }

        private int lastAssistant() {
            for (int i = conversation.size() - 1; i >= 0; i--) {
                if (conversation.get(i).role() == Role.ASSISTANT) {
                    return i;
                }
            }
            return -1;
        }

        private void add(Message message) {
            conversation.add(message);
            unsaved.add(message);
        }

        private void save() {
            String patch = null;
            if (git != null) {
                GitTree.Snapshot snapshot = git.snapshot();
                fingerprint = snapshot.tree();
                patch = snapshot.patch();
            }
            checkpoints.save(turn, unsaved, patch);
            unsaved.clear();
        }
    }

    private String system() {
        return settings.system() == null || settings.system().isBlank() ? DEFAULT_SYSTEM : settings.system();
    }

    /**
     * The conversation as the model sees it: consecutive messages of one role become one, so a human's answer
     * saved after the tool results of its turn reaches the model in the same message.
     */
    static List<Message> merged(List<Message> messages) {
        List<Message> merged = new ArrayList<>();
        for (Message m : messages) {
            if (!merged.isEmpty() && merged.getLast().role() == m.role()) {
                List<Part> parts = new ArrayList<>(merged.getLast().parts());
                parts.addAll(m.parts());
                merged.set(merged.size() - 1, new Message(m.role(), parts));
            } else {
                merged.add(m);
            }
        }
        return merged;
    }

    private static String text(List<Part> parts) {
        return parts.stream().filter(Text.class::isInstance).map(p -> ((Text) p).text()).collect(Collectors.joining("\n"))
                .strip();
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return cut(line, 160);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** How a tool call ends the attempt. */
    private sealed interface Ending {
        String tool();
    }

    /** A tool the loop handles itself because it ends the attempt; execute only checks its input. */
    private abstract static sealed class EndingTool implements AgentTool permits AskHuman, Finish {
        abstract Ending parse(JsonNode input);

        @Override
        public Output execute(JsonNode input) {
            parse(input);
            return Output.ok("accepted");
        }
    }

    private static final class AskHuman extends EndingTool {
        record Question(String question) implements Ending {
            public String tool() {
                return "ask_human";
            }
        }

        public String name() {
            return "ask_human";
        }

        public String description() {
            return "Ask a human one precise question and wait for the answer; use only when you cannot decide yourself.";
        }

        public JsonNode inputSchema() {
            return schema(required("question"), "question", "string", "the question, with the context a human needs");
        }

        Ending parse(JsonNode input) {
            String question = requiredText(input, "question").strip();
            if (question.isEmpty()) {
                throw new Refused("question must not be empty");
            }
            return new Question(question);
        }
    }

    private static final class Finish extends EndingTool {
        record Done(String answer, Map<String, String> outputs) implements Ending {
            public String tool() {
                return "finish";
            }
        }

        public String name() {
            return "finish";
        }

        public String description() {
            return "Finish the task: give a short answer saying what you did, and optional named outputs.";
        }

        public JsonNode inputSchema() {
            return schema(required("answer"), "answer", "string", "what was done, for the humans who read the run",
                    "outputs", "object", "optional named results, each a string");
        }

        Ending parse(JsonNode input) {
            return new Done(requiredText(input, "answer"), optionalStrings(input, "outputs"));
        }
    }
}
