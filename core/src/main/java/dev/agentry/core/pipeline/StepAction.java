package dev.agentry.core.pipeline;

import dev.agentry.core.forge.MergeMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a step does: the closed set of step kinds this version of Agentry knows. */
public sealed interface StepAction {
    String kind();

    /** Whether a node must claim and execute the step, or the engine settles it by itself (waits). */
    default boolean executes() {
        return true;
    }

    /**
     * A shell command run as a job on a runner pool: in the run's working tree of its repository (on the run's
     * branch) when the run has one, else in a scratch directory the run's commands share.
     *
     * @param noOutputTimeout the longest the command may print nothing before it is stopped; null for no limit
     * @param commitLeftovers whether the harness commits changes the command left uncommitted, or fails the step
     */
    record Command(String run, Map<String, String> env, Placement placement, Duration noOutputTimeout,
                   boolean commitLeftovers) implements StepAction {
        public Command(String run, Map<String, String> env) {
            this(run, env, Placement.DEFAULT, null, true);
        }

        public String kind() {
            return "command";
        }
    }

    /**
     * Which pool runs a job: the pool named, or a pool carrying all the labels; neither means the default pool.
     */
    record Placement(String pool, List<String> labels) {
        public static final Placement DEFAULT = new Placement(null, List.of());

        public Placement {
            labels = labels == null ? List.of() : List.copyOf(labels);
        }
    }

    /**
     * Opens a pull request from the run's branch onto the repository's base branch (or returns the open one).
     * Title and body are templates; without a title the pull request is named after the pipeline and run.
     */
    record OpenPullRequest(String title, String body) implements StepAction {
        public String kind() {
            return "open-pr";
        }
    }

    /**
     * Waits until the pull request opened by step {@code pullRequest} passes a check.
     * {@code CI}: its checks pass; on red, {@code fix} runs on the run's branch and the gate waits again, up to
     * {@code maxFixes} times. {@code CONFLICTS}: the branch is kept mergeable with its base by merging the base
     * in; on conflict {@code fix} (the resolver) runs with the conflicted tree.
     *
     * @param fix      null when there is no fixer or resolver: a red gate fails
     * @param pollEvery the first wait between checks; it doubles up to {@link #MAX_POLL}
     */
    record Gate(GateCheck check, String pullRequest, Command fix, int maxFixes, Duration pollEvery) implements StepAction {
        public static final Duration MAX_POLL = Duration.ofMinutes(5);

        public String kind() {
            return "gate";
        }
    }

    enum GateCheck {
        CI, CONFLICTS;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    /** Merges the pull request opened by step {@code pullRequest}; refused while its checks are red or pending. */
    record Merge(String pullRequest, MergeMethod method) implements StepAction {
        public String kind() {
            return "merge";
        }
    }

    /**
     * An agent at work: the agent kind named by {@code agent} (its instructions, tools and default model) given
     * {@code prompt}, a template over inputs and earlier outputs. Inline kinds run in the node; the others run
     * as a job on a pool, in the harness, on the run's branch when the run has a repository.
     *
     * @param model     overrides the kind's default model ({@code provider/model} or a model of the default provider)
     * @param fragments prompt fragments added to the kind's instructions, by name (a run pins their versions)
     */
    record Agent(String agent, String prompt, String model, Placement placement, Duration noOutputTimeout,
                 List<String> fragments) implements StepAction {
        public Agent {
            placement = placement == null ? Placement.DEFAULT : placement;
            fragments = fragments == null ? List.of() : List.copyOf(fragments);
        }

        public String kind() {
            return "agent";
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
