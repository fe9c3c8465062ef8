package dev.agentry.core.pipeline;

import java.util.List;

/** Inputs given to a run that its pipeline does not accept: missing required ones, undeclared ones. */
public final class InvalidInputs extends RuntimeException {
    private final List<Problem> problems;

    public InvalidInputs(List<Problem> problems) {
        super(String.join("; ", problems.stream().map(Problem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
