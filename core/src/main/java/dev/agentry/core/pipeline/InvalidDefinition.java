package dev.agentry.core.pipeline;

import java.util.List;

/** A pipeline definition (or run input) that cannot be accepted, with every problem found in it. */
public final class InvalidDefinition extends RuntimeException {
    private final List<Problem> problems;

    public InvalidDefinition(List<Problem> problems) {
        super(problems.size() == 1 ? problems.get(0).toString()
                : problems.size() + " problems: " + String.join("; ", problems.stream().map(Problem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public static InvalidDefinition of(String field, String message) {
        return new InvalidDefinition(List.of(new Problem(field, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
