package dev.agentry.agents.provider;

import dev.agentry.agents.model.ModelCallFailed;
import dev.agentry.agents.model.ModelCallFailed.Reason;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Turns what went wrong with a model call into a {@link ModelCallFailed} whose message is one clear line naming the
 * provider, the HTTP status and the provider's own words, shared by both adapters so they classify alike.
 */
final class ProviderFailures {
    private static final String REDACTED = "(redacted)";

    private final String provider;
    private final String apiKey;
    private final Duration timeout;

    ProviderFailures(String provider, String apiKey, Duration timeout) {
        this.provider = provider;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    /** Which reason an HTTP error status stands for, once the SDK has retried what it retries. */
    static Reason reasonFor(int status) {
        if (status == 401 || status == 403) {
            return Reason.UNAUTHORIZED;
        }
        if (status == 402) {
            return Reason.BUDGET;
        }
        if (status == 408 || status == 409 || status == 429 || status >= 500) {
            return Reason.UNAVAILABLE;
        }
        return Reason.REJECTED;
    }

    /** The provider answered with an error status. */
    ModelCallFailed status(int status, String errorType, String apiMessage, Throwable cause) {
        StringBuilder message = new StringBuilder(provider).append(" answered HTTP ").append(status);
        if (errorType != null && !errorType.isBlank()) {
            message.append(' ').append(errorType);
        }
        if (apiMessage != null && !apiMessage.isBlank()) {
            message.append(": ").append(oneLine(apiMessage));
        }
        return new ModelCallFailed(reasonFor(status), status, redact(message.toString()), cause);
    }

    /** No answer came, or the connection broke: a timeout or an I/O failure after the SDK's retries. */
    ModelCallFailed noAnswer(Throwable cause) {
        String message = timedOut(cause)
                ? provider + " did not answer within " + timeout.toMillis() + " ms"
                : provider + " could not be reached: " + oneLine(String.valueOf(rootMessage(cause)));
        return new ModelCallFailed(Reason.UNAVAILABLE, 0, redact(message), cause);
    }

    /** The provider answered 200 with something that is not its API's reply. */
    ModelCallFailed malformed(String what, Throwable cause) {
        String detail = cause == null ? "" : ": " + oneLine(String.valueOf(rootMessage(cause)));
        return new ModelCallFailed(Reason.MALFORMED, 200,
                redact(provider + " answered something that is not its API's reply (" + what + ")" + detail), cause);
    }

    private static boolean timedOut(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** Some providers echo the key (or part of it) in their errors; the message must never carry it. */
    private String redact(String message) {
        return apiKey == null || apiKey.isEmpty() ? message : message.replace(apiKey, REDACTED);
    }
}
