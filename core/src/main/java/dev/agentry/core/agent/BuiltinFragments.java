package dev.agentry.core.agent;

import java.time.Instant;
import java.util.List;

/** The prompt fragments every deployment has: version 1 of each, changed only with a new Agentry version. */
public final class BuiltinFragments {
    public static final String OWNER = "agentry";
    private static final Instant SINCE = Instant.parse("2026-11-01T00:00:00Z");

    private BuiltinFragments() {}

    public static List<PromptFragments.Fragment> all() {
        return List.of(
                fragment("small-changes", """
                        Keep changes small and focused on the task. Do not reformat, rename or reorganise code the \
                        task does not need changed. Prefer editing existing code to adding new layers."""),
                fragment("tests-first", """
                        Before changing behaviour, find or write a test that shows it. Run the tests after every \
                        change that matters and report the command you ran and its result."""),
                fragment("conventional-commits", """
                        When you describe your work, write it as a conventional commit message: a type (feat, fix, \
                        refactor, test, docs, chore), an optional scope, and a short imperative summary."""),
                fragment("security-basics", """
                        Never write secrets, tokens or passwords into files, logs or outputs. Validate input at the \
                        edges, use parameterised queries, and do not disable security checks to make tests pass."""));
    }

    private static PromptFragments.Fragment fragment(String name, String text) {
        return new PromptFragments.Fragment(name, PromptFragments.Scope.BUILTIN, OWNER, 1, text, SINCE);
    }
}
