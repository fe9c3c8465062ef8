package dev.agentry.core.run;

import dev.agentry.core.pipeline.PipelineDefinition;
import dev.agentry.core.pipeline.RunCondition;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.pipeline.Template;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One run and its steps inside one transaction: the only place that changes their statuses.
 *
 * <p>Each command ({@link #admit}, {@link #complete}, {@link #cancel}, {@link #retry}, {@link #answer},
 * {@link #fireTimer}) checks the transition tables, changes state, records the events that describe the
 * change, and then {@link #advance}s the run: a deterministic pass that makes steps whose needs have
 * finished ready (or skipped), and finishes the run when nothing is left. The store loads the run with
 * its rows locked, and writes back what changed together with the events, in one transaction.
 */
public final class RunState {
    /** An attempt lost this many times in a row fails the step instead of retrying forever. */
    public static final int MAX_LOST_ATTEMPTS = 20;
    /** The pool of steps a node executes itself (no-ops, forge calls): the local pool, counted in its slots. */
    public static final String NODE_POOL = "local";

    private final long id;
    private final String workspace;
    private final long versionId;
    private final PipelineDefinition definition;
    private final Map<String, String> inputs;
    /** The registered repository the run works on, and its branch of it; null when it works on none. */
    private final String repository;
    private final String branch;
    private RunStatus status;
    private final Instant createdAt;
    private Instant startedAt;
    private Instant finishedAt;
    private String error;
    private final Map<String, StepState> steps;
    private boolean changed;

    private final List<Event> events = new ArrayList<>();
    private final List<AttemptEnd> attemptEnds = new ArrayList<>();
    private final List<DecisionChange> decisionChanges = new ArrayList<>();
    private LongSupplier decisionIds = () -> {
        throw new IllegalStateException("no decision ids in this transaction");
    };

    /**
     * A finished attempt, recorded once when it ends (a running attempt lives in its step's row): who ran
     * it, from when to when, under which idempotency key generation, and how it ended.
     */
    public record AttemptEnd(String stepId, int attempt, AttemptStatus status, String node, int keyGeneration,
                             Instant startedAt, Instant finishedAt, String error, Integer exitCode, String log) {}

    private AttemptEnd ended(StepState step, AttemptStatus status, Instant now, String error, Integer exitCode, String log) {
        return new AttemptEnd(step.stepId, step.attempts, status, step.leaseOwner, step.keyGeneration, step.startedAt, now,
                error, exitCode, log);
    }

    /** A decision created or settled in this transaction; written by the store. */
    public record DecisionChange(long id, String stepId, DecisionStatus status, String prompt, Instant deadline,
                                 String comment, String answeredBy, Instant at, boolean created) {}

    public RunState(long id, String workspace, long versionId, PipelineDefinition definition, Map<String, String> inputs,
                    String repository, String branch, RunStatus status, Instant createdAt, Instant startedAt, Instant finishedAt, String error,
                    List<StepState> steps) {
        this.id = id;
        this.workspace = workspace;
        this.versionId = versionId;
        this.definition = definition;
        this.inputs = inputs;
        this.repository = repository;
        this.branch = branch;
        this.status = status;
        this.createdAt = createdAt;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.error = error;
        this.steps = new LinkedHashMap<>();
        for (var step : definition.steps()) {
            this.steps.put(step.id(), StepState.fresh(step.id()));
        }
        steps.forEach(s -> this.steps.put(s.stepId, s));
    }

    /** A brand-new run: queued, every step pending, nothing written yet. */
    public static RunState create(long id, String workspace, long versionId, PipelineDefinition definition,
                                  Map<String, String> inputs, String repository, Instant now) {
        var run = new RunState(id, workspace, versionId, definition, inputs, repository,
                repository == null ? null : branchName(id, definition.name(), inputs), RunStatus.QUEUED, now, null, null,
                null, List.of());
        run.steps.values().forEach(s -> s.changed = true);
        run.changed = true;
        run.events.add(Event.ofRun("run.queued", id, Map.of("pipeline", definition.name())));
        return run;
    }

    /**
     * The run's branch: named after the run and its task (the {@code task} or {@code title} input, else the
     * pipeline), so it is the same for every attempt and a retried step resumes where the last one pushed.
     */
    static String branchName(long runId, String pipeline, Map<String, String> inputs) {
        String task = inputs.getOrDefault("task", inputs.getOrDefault("title", pipeline));
        String slug = task.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        return "agentry/" + runId + (slug.isEmpty() ? "" : "-" + slug);
    }

    public void useDecisionIds(LongSupplier ids) {
        this.decisionIds = ids;
    }

    // ---- commands -------------------------------------------------------------------------------

    /** Lets a queued run start: its first steps become ready. */
    public void admit(Instant now) {
        moveTo(RunStatus.RUNNING);
        startedAt = now;
        events.add(Event.ofRun("run.started", id, Map.of()));
        advance(now);
    }

    /**
     * Applies the outcome of an attempt. Returns false, changing nothing, when the attempt is no longer
     * the step's current one under that owner: the run was canceled, or the lease expired and another
     * node took over. Whoever loses that race must not write.
     */
    public boolean complete(StepOutcome outcome, Instant now, RandomGenerator random) {
        StepState step = steps.get(outcome.stepId());
        if (step == null || step.status != StepStatus.RUNNING || step.attempts != outcome.attempt()
                || !outcome.owner().equals(step.leaseOwner)) {
            return false;
        }
        StepDefinition def = definition.requireStep(step.stepId);
        switch (outcome) {
            case StepOutcome.Succeeded s -> {
                attemptEnds.add(ended(step, AttemptStatus.SUCCEEDED, now, null, s.exitCode(), s.log()));
                step.moveTo(StepStatus.SUCCEEDED);
                step.outputs = s.outputs();
                step.finishedAt = now;
                step.leaseOwner = null;
                step.lost = 0;
                step.error = null;
                events.add(Event.ofStep("step.succeeded", id, step.stepId, s.attempt(), Map.of("outputs", s.outputs())));
            }
            case StepOutcome.Failed f -> {
                attemptEnds.add(ended(step, AttemptStatus.FAILED, now, f.error(), f.exitCode(), f.log()));
                step.failures++;
                step.keyGeneration++;
                step.lost = 0;
                step.leaseOwner = null;
                if (step.failures < def.retry().maxAttempts()) {
                    var delay = def.retry().delayAfter(step.failures, random);
                    makeReady(step, now, now.plus(delay));
                    events.add(Event.ofStep("step.retrying", id, step.stepId, f.attempt(),
                            Map.of("error", f.error(), "delayMs", delay.toMillis(), "nextAttempt", f.attempt() + 1)));
                } else {
                    failStep(step, now, f.error(), f.attempt());
                }
            }
            case StepOutcome.Lost l -> {
                attemptEnds.add(ended(step, AttemptStatus.LOST, now, l.error(), null, l.log()));
                step.lost++;
                step.keyGeneration++; // the job is gone: the next attempt is a fresh job on a fresh runner
                step.leaseOwner = null;
                if (step.lost < MAX_LOST_ATTEMPTS) {
                    makeReady(step, now, now);
                    events.add(Event.ofStep("step.retrying", id, step.stepId, l.attempt(),
                            Map.of("error", l.error(), "lost", true, "delayMs", 0, "nextAttempt", l.attempt() + 1)));
                } else {
                    failStep(step, now, "lost its runner " + MAX_LOST_ATTEMPTS + " times in a row: " + l.error(), l.attempt());
                }
            }
            case StepOutcome.Continued c -> {
                attemptEnds.add(ended(step, AttemptStatus.CONTINUED, now, null, null, c.log()));
                step.lost = 0;
                step.leaseOwner = null;
                step.memo = c.memo();
                makeReady(step, now, now.plus(c.after()));
                var data = new LinkedHashMap<String, Object>();
                data.put("reason", c.reason());
                data.put("nextAttempt", c.attempt() + 1);
                data.put("at", now.plus(c.after()).toString());
                events.add(Event.ofStep("step.continued", id, step.stepId, c.attempt(), data));
            }
            case StepOutcome.Asked a -> {
                attemptEnds.add(ended(step, AttemptStatus.CONTINUED, now, null, null, a.log()));
                step.lost = 0;
                step.leaseOwner = null;
                step.moveTo(StepStatus.WAITING);
                if (!a.memo().isEmpty()) {
                    var memo = new LinkedHashMap<>(step.memo);
                    memo.putAll(a.memo());
                    step.memo = Map.copyOf(memo);
                }
                step.decisionId = decisionIds.getAsLong();
                decisionChanges.add(new DecisionChange(step.decisionId, step.stepId, DecisionStatus.PENDING, a.question(),
                        null, null, null, now, true));
                events.add(Event.ofStep("decision.requested", id, step.stepId, a.attempt(),
                        Map.of("decision", step.decisionId, "prompt", a.question(), "question", true)));
            }
            case StepOutcome.Paused p -> {
                attemptEnds.add(ended(step, AttemptStatus.CONTINUED, now, null, null, p.log()));
                step.lost = 0;
                step.leaseOwner = null;
                makeReady(step, now, now);
                events.add(Event.ofStep("step.continued", id, step.stepId, p.attempt(),
                        Map.of("reason", "paused: " + p.reason(), "nextAttempt", p.attempt() + 1, "at", now.toString())));
            }
            case StepOutcome.Expired x -> {
                attemptEnds.add(ended(step, AttemptStatus.EXPIRED, now, "lease held by " + x.owner() + " expired", null, null));
                step.lost++;
                step.leaseOwner = null;
                if (step.lost < MAX_LOST_ATTEMPTS) {
                    makeReady(step, now, now);
                    events.add(Event.ofStep("step.retrying", id, step.stepId, x.attempt(),
                            Map.of("error", "the node running it stopped renewing its lease", "delayMs", 0, "nextAttempt", x.attempt() + 1)));
                } else {
                    failStep(step, now, "lost its node " + MAX_LOST_ATTEMPTS + " times in a row", x.attempt());
                }
            }
        }
        advance(now);
        return true;
    }

    /** Stops the run: everything not finished is canceled; nodes executing its steps stop them. */
    public void cancel(Instant now, String reason) {
        if (!status.canMoveTo(RunStatus.CANCELED)) {
            throw new RunConflict("run " + id + " is " + status.wireName() + " and cannot be canceled");
        }
        for (var step : steps.values()) {
            if (step.status.finished()) {
                continue;
            }
            if (step.status == StepStatus.RUNNING) {
                attemptEnds.add(ended(step, AttemptStatus.CANCELED, now, reason, null, null));
            }
            if (step.decisionId != null && step.status == StepStatus.WAITING) {
                decisionChanges.add(new DecisionChange(step.decisionId, step.stepId, DecisionStatus.CANCELED, null, null,
                        reason, null, now, false));
            }
            step.moveTo(StepStatus.CANCELED);
            step.leaseOwner = null;
            step.finishedAt = now;
            events.add(Event.ofStep("step.canceled", id, step.stepId, step.attempts == 0 ? null : step.attempts, Map.of()));
        }
        finish(RunStatus.CANCELED, now, reason);
    }

    /** Retries a failed or canceled run from where it stopped: succeeded steps keep their outputs. */
    public void retry(Instant now) {
        if (status != RunStatus.FAILED && status != RunStatus.CANCELED) {
            throw new RunConflict("run " + id + " is " + status.wireName() + "; only failed or canceled runs can be retried");
        }
        for (var step : steps.values()) {
            if (step.status == StepStatus.FAILED || step.status == StepStatus.CANCELED || step.status == StepStatus.SKIPPED) {
                step.moveTo(StepStatus.PENDING);
                step.failures = 0;
                step.lost = 0;
                step.error = null;
                step.finishedAt = null;
                step.decisionId = null;
                step.dueAt = null;
                step.memo = Map.of();
            }
        }
        moveTo(RunStatus.RUNNING);
        if (startedAt == null) {
            startedAt = now; // canceled while still queued: this is its first start
        }
        finishedAt = null;
        error = null;
        events.add(Event.ofRun("run.started", id, Map.of("retry", true)));
        advance(now);
    }

    /**
     * Holds the run on a spent budget: no step starts and no model call is made; steps already running finish.
     * Only running runs pause (a queued run pauses at its first refused call, a run waiting on a human when it resumes).
     */
    public boolean pause(String reason, Map<String, Object> detail, Instant now) {
        if (status != RunStatus.RUNNING) {
            return false;
        }
        moveTo(RunStatus.PAUSED);
        for (var step : steps.values()) {
            if (step.status == StepStatus.READY) {
                park(step);
            }
        }
        var data = new LinkedHashMap<String, Object>(detail);
        data.put("reason", reason);
        events.add(Event.ofRun("run.paused", id, data));
        return true;
    }

    /** Lets a paused run go on: the period rolled over, a cap was raised or an administrator overrode it. */
    public boolean resume(String why, Instant now) {
        if (status != RunStatus.PAUSED) {
            return false;
        }
        moveTo(RunStatus.RUNNING);
        for (var step : steps.values()) {
            if (step.status == StepStatus.READY && PARKED.equals(step.dueAt)) {
                step.dueAt = now;
                step.changed = true;
            }
        }
        events.add(Event.ofRun("run.resumed", id, Map.of("reason", why)));
        advance(now);
        return true;
    }

    /**
     * When the ready steps of a paused run come due: never, until it resumes. Parking them keeps the claim
     * statement to the step table alone (it need not look at the run's status).
     */
    public static final Instant PARKED = Instant.parse("9999-01-01T00:00:00Z");

    private static void park(StepState step) {
        step.dueAt = PARKED;
        step.changed = true;
    }

    /** A human's answer to the decision a waiting approval step asked. */
    public void answer(long decisionId, boolean approve, String comment, String by, Instant now) {
        StepState step = waitingOn(decisionId);
        settleDecision(step, approve ? DecisionStatus.APPROVED : DecisionStatus.REJECTED, comment, by, now);
        advance(now);
    }

    /** A durable timer came due: a sleep ends, or an approval's deadline passes with its default outcome. */
    public boolean fireTimer(String stepId, Instant now) {
        StepState step = steps.get(stepId);
        if (step == null || step.status != StepStatus.WAITING || step.dueAt == null || step.dueAt.isAfter(now)) {
            return false;
        }
        switch (definition.requireStep(stepId).action()) {
            case StepAction.Sleep s -> {
                step.moveTo(StepStatus.SUCCEEDED);
                step.finishedAt = now;
                step.dueAt = null;
                events.add(Event.ofStep("step.succeeded", id, stepId, null, Map.of("outputs", Map.of())));
            }
            case StepAction.Approval a -> settleDecision(step, DecisionStatus.EXPIRED, null, null, now);
            default -> {
                return false;
            }
        }
        advance(now);
        return true;
    }

    // ---- the deterministic advance ---------------------------------------------------------------

    /**
     * Moves pending steps whose needs have all finished to ready, waiting or skipped (in definition
     * order, which is topological, so skips cascade in one pass), then settles the run's own status.
     */
    void advance(Instant now) {
        if (status != RunStatus.RUNNING && status != RunStatus.NEEDS_YOU) {
            return;
        }
        for (StepDefinition def : definition.steps()) {
            StepState step = steps.get(def.id());
            if (step.status != StepStatus.PENDING) {
                continue;
            }
            boolean allFinished = true;
            boolean allSucceeded = true;
            boolean anyFailed = false;
            for (String need : def.needs()) {
                StepStatus s = steps.get(need).status;
                allFinished &= s.finished();
                allSucceeded &= s == StepStatus.SUCCEEDED;
                anyFailed |= s == StepStatus.FAILED;
            }
            if (!allFinished) {
                continue;
            }
            boolean runs = switch (def.when()) {
                case SUCCESS -> allSucceeded;
                case FAILURE -> anyFailed;
                case ALWAYS -> true;
            };
            if (!runs) {
                step.moveTo(StepStatus.SKIPPED);
                step.finishedAt = now;
                events.add(Event.ofStep("step.skipped", id, def.id(), null,
                        Map.of("reason", def.when() == RunCondition.FAILURE ? "nothing it needs failed" : "a step it needs did not succeed")));
                continue;
            }
            start(step, def, now);
        }
        boolean allFinished = steps.values().stream().allMatch(s -> s.status.finished());
        if (allFinished) {
            var failed = steps.values().stream().filter(s -> s.status == StepStatus.FAILED).findFirst();
            if (failed.isPresent()) {
                finish(RunStatus.FAILED, now, "step " + failed.get().stepId + " failed: " + failed.get().error);
            } else {
                finish(RunStatus.SUCCEEDED, now, null);
            }
            return;
        }
        boolean waitingOnHuman = steps.values().stream().anyMatch(s -> s.status == StepStatus.WAITING && s.decisionId != null);
        if (waitingOnHuman && status == RunStatus.RUNNING) {
            moveTo(RunStatus.NEEDS_YOU);
            events.add(Event.ofRun("run.needs-you", id, Map.of()));
        } else if (!waitingOnHuman && status == RunStatus.NEEDS_YOU) {
            moveTo(RunStatus.RUNNING);
            events.add(Event.ofRun("run.resumed", id, Map.of()));
        }
    }

    private void start(StepState step, StepDefinition def, Instant now) {
        switch (def.action()) {
            case StepAction.Approval a -> {
                step.moveTo(StepStatus.WAITING);
                step.startedAt = now;
                step.dueAt = a.deadline() == null ? null : now.plus(a.deadline());
                step.decisionId = decisionIds.getAsLong();
                String prompt = Template.render(a.prompt(), templateContext());
                decisionChanges.add(new DecisionChange(step.decisionId, step.stepId, DecisionStatus.PENDING, prompt,
                        step.dueAt, null, null, now, true));
                events.add(Event.ofStep("step.started", id, step.stepId, null, Map.of("waitingFor", "decision")));
                var data = new LinkedHashMap<String, Object>();
                data.put("decision", step.decisionId);
                data.put("prompt", prompt);
                if (step.dueAt != null) {
                    data.put("deadline", step.dueAt.toString());
                    data.put("onDeadline", a.approveOnDeadline() ? "approve" : "reject");
                }
                events.add(Event.ofStep("decision.requested", id, step.stepId, null, data));
            }
            case StepAction.Sleep s -> {
                step.moveTo(StepStatus.WAITING);
                step.startedAt = now;
                step.dueAt = now.plus(s.duration());
                events.add(Event.ofStep("step.started", id, step.stepId, null,
                        Map.of("waitingFor", "timer", "until", step.dueAt.toString())));
            }
            default -> {
                makeReady(step, now, now);
                events.add(Event.ofStep("step.ready", id, step.stepId, null, Map.of()));
            }
        }
    }

    private void makeReady(StepState step, Instant now, Instant due) {
        step.moveTo(StepStatus.READY);
        step.readyAt = now;
        step.dueAt = status == RunStatus.PAUSED ? PARKED : due;
        place(step, definition.requireStep(step.stepId).action());
    }

    /** The pool that executes the step's next attempt. */
    private static void place(StepState step, StepAction action) {
        StepAction.Placement placement = switch (action) {
            case StepAction.Command c -> c.placement();
            case StepAction.Gate g when g.check() == StepAction.GateCheck.CONFLICTS ->
                    g.fix() == null ? StepAction.Placement.DEFAULT : g.fix().placement();
            case StepAction.Gate g when GateMemo.fixing(step.memo) -> g.fix().placement();
            // checking a forge, or doing nothing: work for the node itself
            default -> new StepAction.Placement(NODE_POOL, List.of());
        };
        step.pool = placement.pool();
        step.labels = placement.labels();
    }

    private void failStep(StepState step, Instant now, String error, Integer attempt) {
        step.moveTo(StepStatus.FAILED);
        step.error = error;
        step.finishedAt = now;
        var data = new LinkedHashMap<String, Object>();
        data.put("error", error == null ? "failed" : error);
        events.add(Event.ofStep("step.failed", id, step.stepId, attempt, data));
    }

    private void settleDecision(StepState step, DecisionStatus outcome, String comment, String by, Instant now) {
        if (!(definition.requireStep(step.stepId).action() instanceof StepAction.Approval)) {
            answerQuestion(step, outcome, comment, by, now);
            return;
        }
        var approval = (StepAction.Approval) definition.requireStep(step.stepId).action();
        boolean approved = outcome == DecisionStatus.APPROVED
                || (outcome == DecisionStatus.EXPIRED && approval.approveOnDeadline());
        decisionChanges.add(new DecisionChange(step.decisionId, step.stepId, outcome, null, null, comment, by, now, false));
        var data = new LinkedHashMap<String, Object>();
        data.put("decision", step.decisionId);
        data.put("outcome", approved ? "approved" : "rejected");
        if (comment != null) {
            data.put("comment", comment);
        }
        if (by != null) {
            data.put("by", by);
        }
        events.add(Event.ofStep(outcome == DecisionStatus.EXPIRED ? "decision.expired" : "decision.answered",
                id, step.stepId, null, data));
        step.dueAt = null;
        if (approved) {
            var outputs = new LinkedHashMap<String, String>();
            outputs.put("approved", "true");
            if (comment != null) {
                outputs.put("comment", comment);
            }
            if (by != null) {
                outputs.put("by", by);
            }
            step.moveTo(StepStatus.SUCCEEDED);
            step.outputs = Map.copyOf(outputs);
            step.finishedAt = now;
            events.add(Event.ofStep("step.succeeded", id, step.stepId, null, Map.of("outputs", step.outputs)));
        } else {
            String why = outcome == DecisionStatus.EXPIRED ? "rejected: deadline passed"
                    : "rejected" + (by == null ? "" : " by " + by) + (comment == null || comment.isBlank() ? "" : ": " + comment);
            failStep(step, now, why, null);
        }
    }

    /**
     * A question a running step asked settled (an agent's question, or a policy's request for approval): approved,
     * the step goes on, with the answer for an agent and the approval for the policy; rejected, the step fails.
     */
    private void answerQuestion(StepState step, DecisionStatus outcome, String answer, String by, Instant now) {
        boolean answered = outcome == DecisionStatus.APPROVED;
        decisionChanges.add(new DecisionChange(step.decisionId, step.stepId, outcome, null, null, answer, by, now, false));
        var data = new LinkedHashMap<String, Object>();
        data.put("decision", step.decisionId);
        data.put("outcome", answered ? "answered" : "rejected");
        if (answer != null) {
            data.put("comment", answer);
        }
        if (by != null) {
            data.put("by", by);
        }
        events.add(Event.ofStep("decision.answered", id, step.stepId, null, data));
        step.decisionId = null;
        if (answered) {
            var memo = new LinkedHashMap<>(step.memo);
            String pending = memo.remove(POLICY_PENDING);
            if (pending != null) {
                String approved = memo.get(POLICY_APPROVED);
                memo.put(POLICY_APPROVED, approved == null ? pending : approved + "," + pending);
            } else if (answer != null && !answer.isBlank()) {
                memo.put(AGENT_ANSWER, answer);
            }
            step.memo = Map.copyOf(memo);
            makeReady(step, now, now);
            events.add(Event.ofStep("step.ready", id, step.stepId, null, Map.of("answered", true)));
        } else {
            failStep(step, now, (step.memo.containsKey(POLICY_PENDING) ? "rejected" : "the agent's question was declined")
                    + (by == null ? "" : " by " + by)
                    + (answer == null || answer.isBlank() ? "" : ": " + answer), null);
        }
    }

    /** The memo key under which an agent's next attempt finds a human's answer to its question. */
    public static final String AGENT_ANSWER = "answer";
    /** The action a policy asked a human to approve (its fingerprint), while the step waits. */
    public static final String POLICY_PENDING = "policy-pending";
    /** The actions of the step humans approved, comma-separated fingerprints: the next attempt may do them. */
    public static final String POLICY_APPROVED = "policy-approved";

    private StepState waitingOn(long decisionId) {
        return steps.values().stream()
                .filter(s -> s.status == StepStatus.WAITING && s.decisionId != null && s.decisionId == decisionId)
                .findFirst()
                .orElseThrow(() -> new RunConflict("decision " + decisionId + " is not pending"));
    }

    private void finish(RunStatus target, Instant now, String why) {
        moveTo(target);
        finishedAt = now;
        error = why;
        var data = new LinkedHashMap<String, Object>();
        if (why != null) {
            data.put("error", why);
        }
        events.add(Event.ofRun("run." + target.wireName(), id, data));
    }

    private void moveTo(RunStatus target) {
        if (!status.canMoveTo(target)) {
            throw new IllegalTransition("run " + id + " cannot move from " + status + " to " + target);
        }
        status = target;
        changed = true;
    }

    /** The values templates of this run can see now: its inputs and the outputs of succeeded steps. */
    public Template.Context templateContext() {
        var outputs = new LinkedHashMap<String, Map<String, String>>();
        steps.values().stream().filter(s -> s.status == StepStatus.SUCCEEDED).forEach(s -> outputs.put(s.stepId, s.outputs));
        return new Template.Context(id, definition.name(), inputs, outputs);
    }

    /** Copies a succeeded step from an earlier run (re-run from a later step reuses it). */
    public void reuse(StepState from, long sourceRun, Instant now) {
        StepState step = steps.get(from.stepId);
        step.moveTo(StepStatus.SUCCEEDED);
        step.outputs = from.outputs;
        step.finishedAt = now;
        step.changed = true;
        events.add(Event.ofStep("step.succeeded", id, step.stepId, null, Map.of("outputs", from.outputs, "reusedFrom", sourceRun)));
    }

    // ---- read access for the store ------------------------------------------------------------

    public long id() { return id; }
    public String workspace() { return workspace; }
    public long versionId() { return versionId; }
    public PipelineDefinition definition() { return definition; }
    public Map<String, String> inputs() { return inputs; }
    public String repository() { return repository; }
    public String branch() { return branch; }
    public RunStatus status() { return status; }
    public Instant createdAt() { return createdAt; }
    public Instant startedAt() { return startedAt; }
    public Instant finishedAt() { return finishedAt; }
    public String error() { return error; }
    public boolean changed() { return changed; }
    public java.util.Collection<StepState> steps() { return steps.values(); }
    public StepState step(String id) { return steps.get(id); }
    public List<Event> events() { return events; }
    public List<AttemptEnd> attemptEnds() { return attemptEnds; }
    public List<DecisionChange> decisionChanges() { return decisionChanges; }
}
