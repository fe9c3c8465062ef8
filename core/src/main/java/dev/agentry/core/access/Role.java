package dev.agentry.core.access;

/**
 * What a member may do in a workspace; each role can do everything the ones before it can.
 * The table of which request needs which role is {@link Permission}.
 */
public enum Role {
    /** Reads runs, events, pipelines, spend. */
    VIEWER,
    /** Also starts, cancels and retries runs, and answers decisions. */
    MEMBER,
    /** Also configures the workspace: pipelines, repositories, secrets, policy, budgets, triggers, fragments. */
    ADMIN,
    /** Also manages the workspace's members. */
    OWNER;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    public static Role fromWire(String s) {
        for (var r : values()) {
            if (r.wireName().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "'; expected viewer, member, admin or owner");
    }
}
