package dev.agentry.core.pipeline;

import java.time.Duration;
import java.util.Map;

/** What a step does: the closed set of step kinds this version of Agentry knows. */
public sealed interface StepAction {
    String kind();

    /** Whether a node must claim and execute the step, or the engine settles it by itself (waits). */
    default boolean executes() {
        return true;
    }

    /** A shell command run as a subprocess in the run's working directory. */
    record Command(String run, Map<String, String> env) implements StepAction {
        public String kind() {
            return "command";
        }
    }

    /** A question to a human; the run waits, durably, until it is answered or its deadline passes. */
    record Approval(String prompt, Duration deadline, boolean approveOnDeadline) implements StepAction {
        public String kind() {
            return "approval";
        }

        @Override
        public boolean executes() {
            return false;
        }
    }

    /** A durable timer: the step succeeds once the duration has passed, whatever restarts happen meanwhile. */
    record Sleep(Duration duration) implements StepAction {
        public String kind() {
            return "sleep";
        }

        @Override
        public boolean executes() {
            return false;
        }
    }

    /** Does nothing and succeeds: for tests, benchmarks and joining branches of a DAG. */
    record Noop() implements StepAction {
        public String kind() {
            return "noop";
        }
    }
}
