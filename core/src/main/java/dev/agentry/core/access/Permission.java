package dev.agentry.core.access;

/** What a request needs, as the least role that grants it. */
public enum Permission {
    READ(Role.VIEWER),
    OPERATE(Role.MEMBER),
    CONFIGURE(Role.ADMIN),
    MANAGE_MEMBERS(Role.OWNER);

    private final Role least;

    Permission(Role least) {
        this.least = least;
    }

    public Role least() {
        return least;
    }

    public boolean grantedTo(Role role) {
        return role != null && role.atLeast(least);
    }
}
