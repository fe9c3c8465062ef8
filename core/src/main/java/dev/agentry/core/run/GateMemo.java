package dev.agentry.core.run;

import java.util.Map;

/**
 * What a CI gate remembers between its attempts (kept in the step's memo, so it survives restarts): how many
 * times it has checked, how many fixes it has run, and whether its next attempt runs the fixer.
 */
public record GateMemo(int checks, int fixes, boolean fixing) {
    public static final GateMemo START = new GateMemo(0, 0, false);

    public static GateMemo of(Map<String, String> memo) {
        return new GateMemo(number(memo.get("checks")), number(memo.get("fixes")), "fix".equals(memo.get("phase")));
    }

    static boolean fixing(Map<String, String> memo) {
        return "fix".equals(memo.get("phase"));
    }

    public GateMemo checked() {
        return new GateMemo(checks + 1, fixes, false);
    }

    public GateMemo fixNext() {
        return new GateMemo(checks, fixes, true);
    }

    public GateMemo fixed() {
        return new GateMemo(0, fixes + 1, false);
    }

    public Map<String, String> toMap() {
        return Map.of("checks", Integer.toString(checks), "fixes", Integer.toString(fixes), "phase", fixing ? "fix" : "check");
    }

    private static int number(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
