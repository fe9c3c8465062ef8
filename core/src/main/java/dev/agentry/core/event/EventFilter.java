package dev.agentry.core.event;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which events a reader wants: one workspace (or every workspace, for the fleet stream), optionally one
 * run, optionally some types. A type pattern is a type ({@code step.log}) or a prefix ending in
 * {@code *} ({@code run.*}).
 */
public record EventFilter(String workspace, Long run, List<String> types) {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z.-]{0,63}\\*?|\\*");

    public EventFilter {
        types = types == null ? List.of() : List.copyOf(types);
        for (String t : types) {
            if (!TYPE.matcher(t).matches()) {
                throw new IllegalArgumentException("type pattern '" + t + "' is not a type like step.log or a prefix like run.*");
            }
        }
    }

    public static EventFilter workspace(String workspace) {
        return new EventFilter(workspace, null, List.of());
    }

    public boolean matches(LoggedEvent e) {
        if (workspace != null && !workspace.equals(e.workspace())) {
            return false;
        }
        if (run != null && !run.equals(e.run())) {
            return false;
        }
        return wantsType(e.type());
    }

    public boolean wantsType(String type) {
        if (types.isEmpty()) {
            return true;
        }
        for (String t : types) {
            if (t.endsWith("*") ? type.startsWith(t.substring(0, t.length() - 1)) : type.equals(t)) {
                return true;
            }
        }
        return false;
    }

    /** The type patterns as SQL LIKE patterns (types hold no {@code %} or {@code _}: see the pattern above). */
    public List<String> likePatterns() {
        return types.stream().map(t -> t.endsWith("*") ? t.substring(0, t.length() - 1) + "%" : t).toList();
    }
}
