package dev.agentry.core.trigger;

import dev.agentry.core.pipeline.Problem;
import java.util.List;

/** A trigger that cannot be saved: each problem names the field (as the API spells it) and what is wrong. */
public final class InvalidTrigger extends RuntimeException {
    private final List<Problem> problems;

    public InvalidTrigger(List<Problem> problems) {
        super(String.join("; ", problems.stream().map(Problem::toString).toList()));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid trigger has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
