package dev.agentry.agents.stub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scripted answer of the {@link ScriptedModelServer}, written once and spoken in whichever wire format the
 * request came in (Anthropic Messages or OpenAI Chat Completions, streaming or not).
 *
 * <p>Immutable: every {@code and…}/{@code with…} method returns a new answer.
 *
 * <pre>{@code
 * Scripted.text("done").usage(100, 20, 50, 0)
 * Scripted.toolCall("read_file", "{\"path\":\"a.txt\"}").andToolCall("list_files", "{}")
 * Scripted.text("Let me look.").andToolCall("read_file", "{\"path\":\"a.txt\"}")
 * Scripted.error(429).header("retry-after", "1")
 * Scripted.error(402).message("the run's budget is spent")   // type budget_exceeded
 * Scripted.malformed()
 * Scripted.hang()
 * Scripted.text("slow").delay(Duration.ofMillis(300))
 * }</pre>
 */
public final class Scripted {

    /** What kind of answer this is. */
    public enum Kind {
        /** A normal model reply (200) made of text and tool calls. */
        REPLY,
        /** An HTTP error with the provider's error body. */
        ERROR,
        /** 200 with a body that is not the API's reply. */
        MALFORMED,
        /** Never answers: the request waits until the server closes. */
        HANG
    }

    /** Why the scripted reply stops; translated to each API's own words. */
    public enum Stop {
        END_TURN, TOOL_USE, MAX_TOKENS
    }

    /** A piece of a scripted reply. */
    public sealed interface Block {}

    public record Text(String text) implements Block {}

    /** A tool call; {@code arguments} is the JSON text of the input object. */
    public record ToolCall(String id, String name, String arguments) implements Block {}

    /**
     * Token counts in Agentry's sense (see {@code dev.agentry.core.spend.Usage}): {@code input} excludes cached
     * prompt tokens. On the OpenAI wire {@code prompt_tokens = input + cacheRead + cacheWrite} and
     * {@code cached_tokens = cacheRead}, since that API has no notion of writing to the cache.
     */
    public record Tokens(long input, long output, long cacheRead, long cacheWrite) {}

    private final Kind kind;
    private final List<Block> blocks;
    private final Tokens tokens;
    private final Stop stop;
    private final int status;
    private final String errorType;
    private final String message;
    private final Map<String, String> headers;
    private final Duration delay;

    private Scripted(Kind kind, List<Block> blocks, Tokens tokens, Stop stop, int status, String errorType,
                     String message, Map<String, String> headers, Duration delay) {
        this.kind = kind;
        this.blocks = List.copyOf(blocks);
        this.tokens = tokens;
        this.stop = stop;
        this.status = status;
        this.errorType = errorType;
        this.message = message;
        this.headers = Map.copyOf(headers);
        this.delay = delay;
    }

    private static Scripted of(Kind kind, int status) {
        return new Scripted(kind, List.of(), new Tokens(10, 5, 0, 0), null, status, null, null, Map.of(),
                Duration.ZERO);
    }

    // ---- named answers

    /** A reply of one text block that ends the turn. */
    public static Scripted text(String text) {
        return of(Kind.REPLY, 200).andText(text);
    }

    /** A reply asking for one tool call; its id is {@code call_1} (the n-th call of a reply gets {@code call_n}). */
    public static Scripted toolCall(String name, String argumentsJson) {
        return of(Kind.REPLY, 200).andToolCall(name, argumentsJson);
    }

    /** A reply asking for one tool call with the given id. */
    public static Scripted toolCall(String id, String name, String argumentsJson) {
        return of(Kind.REPLY, 200).andToolCall(id, name, argumentsJson);
    }

    /** An error answer with the provider's error body; see {@link #message} and {@link #errorType}. */
    public static Scripted error(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + status);
        }
        return of(Kind.ERROR, status);
    }

    /** 200 with a body that is not the API's JSON (for a streaming request: SSE events whose data is not JSON). */
    public static Scripted malformed() {
        return of(Kind.MALFORMED, 200);
    }

    /** Never answers: the request is held until the server closes. */
    public static Scripted hang() {
        return of(Kind.HANG, 0);
    }

    // ---- refinements

    public Scripted andText(String text) {
        requireReply("text");
        List<Block> more = new ArrayList<>(blocks);
        more.add(new Text(Objects.requireNonNull(text)));
        return new Scripted(kind, more, tokens, stop, status, errorType, message, headers, delay);
    }

    public Scripted andToolCall(String name, String argumentsJson) {
        long calls = blocks.stream().filter(ToolCall.class::isInstance).count();
        return andToolCall("call_" + (calls + 1), name, argumentsJson);
    }

    public Scripted andToolCall(String id, String name, String argumentsJson) {
        requireReply("a tool call");
        List<Block> more = new ArrayList<>(blocks);
        more.add(new ToolCall(Objects.requireNonNull(id), Objects.requireNonNull(name),
                Objects.requireNonNull(argumentsJson)));
        return new Scripted(kind, more, tokens, stop, status, errorType, message, headers, delay);
    }

    /** The usage the reply reports; see {@link Tokens} for how it is spelt on each wire. */
    public Scripted usage(long input, long output, long cacheRead, long cacheWrite) {
        requireReply("usage");
        return new Scripted(kind, blocks, new Tokens(input, output, cacheRead, cacheWrite), stop, status, errorType,
                message, headers, delay);
    }

    /** Overrides the stop reason, which is otherwise TOOL_USE when the reply has tool calls and END_TURN if not. */
    public Scripted stop(Stop stop) {
        requireReply("a stop reason");
        return new Scripted(kind, blocks, tokens, Objects.requireNonNull(stop), status, errorType, message, headers,
                delay);
    }

    /** The provider's error message in an error body. */
    public Scripted message(String message) {
        requireError("a message");
        return new Scripted(kind, blocks, tokens, stop, status, errorType, Objects.requireNonNull(message), headers,
                delay);
    }

    /** The error type in an error body, e.g. {@code budget_exceeded}; defaults to the provider's type for the status. */
    public Scripted errorType(String errorType) {
        requireError("an error type");
        return new Scripted(kind, blocks, tokens, stop, status, Objects.requireNonNull(errorType), message, headers,
                delay);
    }

    /** A response header, e.g. {@code retry-after}. */
    public Scripted header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name.toLowerCase(), value);
        return new Scripted(kind, blocks, tokens, stop, status, errorType, message, more, delay);
    }

    /** Waits this long before the first byte of the answer. */
    public Scripted delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a delay is not negative");
        }
        return new Scripted(kind, blocks, tokens, stop, status, errorType, message, headers, delay);
    }

    private void requireReply(String what) {
        if (kind != Kind.REPLY) {
            throw new IllegalStateException("only a reply has " + what + "; this answer is " + kind);
        }
    }

    private void requireError(String what) {
        if (kind != Kind.ERROR) {
            throw new IllegalStateException("only an error has " + what + "; this answer is " + kind);
        }
    }

    // ---- read by the server

    public Kind kind() {
        return kind;
    }

    public List<Block> blocks() {
        return blocks;
    }

    public Tokens tokens() {
        return tokens;
    }

    public Stop effectiveStop() {
        if (stop != null) {
            return stop;
        }
        return blocks.stream().anyMatch(ToolCall.class::isInstance) ? Stop.TOOL_USE : Stop.END_TURN;
    }

    public int status() {
        return status;
    }

    /** The error type, or null for the provider's default for the status. */
    public String errorType() {
        return errorType;
    }

    /** The error message, or a default naming the status. */
    public String message() {
        return message != null ? message : "scripted error " + status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Duration delay() {
        return delay;
    }

    @Override
    public String toString() {
        return "Scripted[" + kind + (kind == Kind.ERROR ? " " + status : "") + (blocks.isEmpty() ? "" : " " + blocks)
                + "]";
    }
}
