package dev.agentry.runners.manifest;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One logic-less template of a manifest ({@code {{input.jobId}}}, {@code {{dispatch.evalId}}}), compiled once, with
 * the escaping of the place it is used: percent-encoding in a path, JSON string escaping in a body. Only plain
 * variables are allowed: no sections, partials, comments or delimiter changes, and raw insertion only of
 * {@code {{{input.job}}}} in a body (the spec is JSON already; anything else raw could break out of the body's
 * structure).
 */
public final class ManifestTemplate {
    /** Where a template is used, which decides how values are escaped. */
    public enum Context {
        /** Values percent-encoded as one path segment ({@code /} becomes {@code %2F}). */
        PATH,
        /** Rendered plain; the caller percent-encodes the whole name and value. */
        QUERY,
        /** Rendered plain; line breaks are refused when the request is built. */
        HEADER,
        /** Values escaped for the inside of a JSON string; {@code {{{input.job}}}} inserts the spec as JSON. */
        BODY
    }

    /** A template's size limit, in UTF-8 bytes. */
    public static final int MAX_BYTES = 64 * 1024;
    public static final String RAW_JOB = "input.job";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private final String source;
    private final Context context;
    private final Template compiled;
    private final Set<String> variables;

    private ManifestTemplate(String source, Context context, Template compiled, Set<String> variables) {
        this.source = source;
        this.context = context;
        this.compiled = compiled;
        this.variables = variables;
    }

    /** Compiles; throws {@link IllegalArgumentException} saying what is wrong and what is allowed. */
    public static ManifestTemplate compile(String source, Context context) {
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("the template is " + bytes + " bytes; at most " + MAX_BYTES + " (64 KiB) are allowed");
        }
        var variables = new LinkedHashSet<String>();
        int i = 0;
        while ((i = source.indexOf("{{", i)) >= 0) {
            boolean raw = source.startsWith("{{{", i);
            String close = raw ? "}}}" : "}}";
            int start = i + (raw ? 3 : 2);
            int end = source.indexOf(close, start);
            if (end < 0) {
                throw new IllegalArgumentException("'" + (raw ? "{{{" : "{{") + "' at offset " + i + " is never closed with '" + close + "'");
            }
            String name = source.substring(start, end).strip();
            if (!name.isEmpty() && "#^/>!=&<$".indexOf(name.charAt(0)) >= 0) {
                throw new IllegalArgumentException("'" + abbreviate(source.substring(i, end + close.length()))
                        + "' is not allowed; templates are logic-less: only {{name}} variables (no sections, partials, comments or delimiter changes)");
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + abbreviate(source.substring(i, end + close.length()))
                        + "' is not a variable; expected {{name}} with a dotted name such as {{input.jobId}}");
            }
            if (raw && !(context == Context.BODY && name.equals(RAW_JOB))) {
                throw new IllegalArgumentException(context == Context.BODY
                        ? "'{{{" + name + "}}}' inserts a value unescaped; only {{{input.job}}} (the spec, already JSON) may be; write {{" + name + "}} inside a JSON string"
                        : "'{{{" + name + "}}}' inserts a value unescaped, which is not allowed here; write {{" + name + "}} and the value is encoded for its place");
            }
            variables.add(name);
            i = end + close.length();
        }
        Template compiled;
        try {
            compiled = Mustache.compiler()
                    .escapeHTML(false)
                    .withEscaper(escaper(context))
                    .nullValue("")
                    .compile(source);
        } catch (MustacheException e) {
            throw new IllegalArgumentException("not a valid template: " + e.getMessage());
        }
        return new ManifestTemplate(source, context, compiled, Set.copyOf(variables));
    }

    public String source() {
        return source;
    }

    public Context context() {
        return context;
    }

    /** The dotted names the template refers to. */
    public Set<String> variables() {
        return variables;
    }

    /**
     * Renders with {@code values}: a map of {@code input} and {@code dispatch} to maps of names to values
     * (strings, or null for "not known").
     */
    public String render(Map<String, ?> values) {
        return compiled.execute(values);
    }

    private static Mustache.Escaper escaper(Context context) {
        return switch (context) {
            case PATH -> ManifestTemplate::percentEncode;
            case QUERY, HEADER -> text -> text;
            case BODY -> ManifestTemplate::jsonEscape;
        };
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters. */
    public static String percentEncode(String s) {
        var out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Escapes for the inside of a JSON string (RFC 8259 section 7). */
    public static String jsonEscape(String s) {
        var out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** The template with its variables taken out: what the author wrote literally. */
    public String literalText() {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int from = 0;
        while ((i = source.indexOf("{{", i)) >= 0) {
            boolean raw = source.startsWith("{{{", i);
            int end = source.indexOf(raw ? "}}}" : "}}", i) + (raw ? 3 : 2);
            parts.add(source.substring(from, i));
            from = i = end;
        }
        parts.add(source.substring(from));
        return String.join("", parts);
    }

    @Override
    public String toString() {
        return source;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
