package dev.agentry.core.policy;

import java.util.Arrays;
import java.util.Optional;

/** What a policy says about an action. */
public enum Verdict {
    ALLOW("allow"),
    DENY("deny"),
    NEEDS_APPROVAL("needs-approval");

    private final String wireName;

    Verdict(String wireName) {
        this.wireName = wireName;
    }

    /** As written in policy documents and answered over the API. */
    public String wireName() {
        return wireName;
    }

    public static Optional<Verdict> fromWireName(String name) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst();
    }
}
