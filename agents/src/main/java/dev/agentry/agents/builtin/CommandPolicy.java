package dev.agentry.agents.builtin;

/** Decides whether {@code run_command} may run a command; a refused command never starts. */
public interface CommandPolicy {

    record Verdict(boolean allowed, String reason) {
        public static Verdict allow(String reason) {
            return new Verdict(true, reason);
        }

        public static Verdict deny(String reason) {
            return new Verdict(false, reason);
        }
    }

    Verdict check(String command);
}
