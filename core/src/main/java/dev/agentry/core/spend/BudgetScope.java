package dev.agentry.core.spend;

/**
 * What a budget covers: an account's or a workspace's spend in a calendar month (UTC), or one run's spend in all.
 */
public record BudgetScope(Kind kind, String id) {
    public enum Kind {
        ACCOUNT, WORKSPACE, RUN;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    public static BudgetScope account(String name) {
        return new BudgetScope(Kind.ACCOUNT, name);
    }

    public static BudgetScope workspace(String name) {
        return new BudgetScope(Kind.WORKSPACE, name);
    }

    public static BudgetScope run(long id) {
        return new BudgetScope(Kind.RUN, Long.toString(id));
    }

    /** The period a spend total is kept for: the month for accounts and workspaces, {@code all} for a run. */
    public String period(java.time.YearMonth month) {
        return kind == Kind.RUN ? "all" : month.toString();
    }

    @Override
    public String toString() {
        return kind.wireName() + " " + id;
    }
}
