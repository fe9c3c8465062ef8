package dev.agentry.core.engine;

import dev.agentry.core.audit.AuditEntry;
import dev.agentry.core.audit.WriteRefused;
import dev.agentry.core.forge.Checks;
import dev.agentry.core.policy.Action;
import dev.agentry.core.forge.Forge;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.PullRequest;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.pipeline.Template;
import dev.agentry.core.repo.Repository;
import dev.agentry.core.run.GateMemo;
import dev.agentry.core.run.StepOutcome;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The steps that act on a run's pull request through its repository's forge: {@code open-pr}, the CI gate's
 * checks, and {@code merge}. Each attempt is one short conversation with the forge; a CI gate that has to wait
 * ends its attempt as continued and is claimed again after a backoff, so waiting holds no slot and survives
 * restarts (its counts live in the step's memo).
 */
final class ForgeSteps {
    private final RunStore runs;
    private final Integrations integrations;

    private final PolicyGuard guard;

    ForgeSteps(RunStore runs, Integrations integrations) {
        this.runs = runs;
        this.integrations = integrations;
        this.guard = new PolicyGuard(integrations.policy());
    }

    private Action.Context context(Claim claim) {
        return new Action.Context(claim.workspace(), claim.runId(), claim.stepId(), null, runs.templateContext(claim.runId()).pipeline());
    }

    /** The forge and repository a step acts on. */
    private record Target(Forge forge, ForgeRepository repo, Repository registered) {}

    StepOutcome open(Claim claim, StepDefinition step, StepAction.OpenPullRequest action) {
        try {
            var t = target(claim);
            Template.Context context = runs.templateContext(claim.runId());
            String title = action.title() == null ? context.pipeline() + ": run " + claim.runId()
                    : Template.render(action.title(), context);
            String body = action.body() == null ? "Opened by Agentry: run " + claim.runId() + " of pipeline " + context.pipeline() + "."
                    : Template.render(action.body(), context);
            StepOutcome refused = guard.check(claim, new Action.OpenPullRequest(context(claim), t.registered().name(), claim.branch(),
                    t.registered().baseBranch()), line -> { });
            if (refused != null) {
                return refused;
            }
            PullRequest pr = integrations.writes().perform(
                    AuditEntry.byStep("pr-open", claim.workspace(), claim.runId(), claim.stepId(),
                            "repo " + t.registered().name() + " branch " + claim.branch(), Map.of("base", t.registered().baseBranch())),
                    () -> t.forge().open(t.repo(), claim.branch(), t.registered().baseBranch(), title.strip(), body),
                    opened -> Map.of("number", Integer.toString(opened.number())));
            return StepOutcome.succeeded(claim.ref(), outputs(pr), null, "opened " + pr.url());
        } catch (Forge.ForgeFailure e) {
            return StepOutcome.failed(claim.ref(), "could not open the pull request: " + e.getMessage(), null, null);
        } catch (StepRefused | WriteRefused e) {
            return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
        }
    }

    StepOutcome checkCi(Claim claim, StepAction.Gate gate) {
        var memo = GateMemo.of(claim.memo());
        try {
            var t = target(claim);
            PullRequest pr = t.forge().get(t.repo(), number(claim, gate.pullRequest()));
            if (!pr.open() && !pr.merged()) {
                return StepOutcome.failed(claim.ref(), "pull request #" + pr.number() + " was closed", null, null);
            }
            Checks checks = t.forge().checks(t.repo(), pr);
            return switch (checks.state()) {
                case PASSED, NONE -> {
                    var out = outputs(pr);
                    out.put("checks", checks.state().name().toLowerCase());
                    out.put("fixes", Integer.toString(memo.fixes()));
                    yield StepOutcome.succeeded(claim.ref(), out, null, describe(checks));
                }
                case PENDING -> {
                    var next = memo.checked();
                    yield StepOutcome.continued(claim.ref(), backoff(gate.pollEvery(), next.checks()), next.toMap(),
                            "checks pending on " + shortSha(pr.headCommit()) + ": " + describe(checks), null);
                }
                case FAILED -> {
                    String failed = String.join(", ", checks.failedNames());
                    if (gate.fix() != null && memo.fixes() < gate.maxFixes()) {
                        yield StepOutcome.continued(claim.ref(), Duration.ZERO, memo.fixNext().toMap(),
                                "checks failed (" + failed + "); running the fixer (" + (memo.fixes() + 1) + " of " + gate.maxFixes() + ")", null);
                    }
                    yield StepOutcome.failed(claim.ref(), "checks failed: " + failed
                            + (memo.fixes() > 0 ? " (after " + memo.fixes() + " fixes)" : ""), null, describe(checks));
                }
            };
        } catch (Forge.ForgeFailure e) {
            if (e.refused()) {
                return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
            }
            // The forge is unreachable for now: waiting for CI goes on, the blip counts as a pending check.
            var next = memo.checked();
            return StepOutcome.continued(claim.ref(), backoff(gate.pollEvery(), next.checks()), next.toMap(),
                    "could not reach the forge: " + e.getMessage(), null);
        } catch (StepRefused e) {
            return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
        }
    }

    StepOutcome merge(Claim claim, StepAction.Merge action) {
        try {
            var t = target(claim);
            PullRequest pr = t.forge().get(t.repo(), number(claim, action.pullRequest()));
            if (pr.merged()) {
                return StepOutcome.succeeded(claim.ref(), outputs(pr), null, "already merged");
            }
            if (!pr.open()) {
                return StepOutcome.failed(claim.ref(), "pull request #" + pr.number() + " was closed", null, null);
            }
            Checks checks = t.forge().checks(t.repo(), pr);
            if (checks.state() == Checks.State.FAILED || checks.state() == Checks.State.PENDING) {
                return StepOutcome.failed(claim.ref(), "refusing to merge pull request #" + pr.number() + ": its checks are "
                        + checks.state().name().toLowerCase() + " (" + describe(checks) + ")", null, null);
            }
            if (Boolean.FALSE.equals(pr.mergeable())) {
                return StepOutcome.failed(claim.ref(), "refusing to merge pull request #" + pr.number()
                        + ": it conflicts with " + pr.base() + "; add a conflicts gate before the merge", null, null);
            }
            StepOutcome refused = guard.check(claim, new Action.MergePullRequest(context(claim), t.registered().name(), pr.number(),
                    pr.base()), line -> { });
            if (refused != null) {
                return refused;
            }
            PullRequest merged = integrations.writes().perform(
                    AuditEntry.byStep("pr-merge", claim.workspace(), claim.runId(), claim.stepId(),
                            "pr " + t.registered().name() + "#" + pr.number(), Map.of("method", action.method().wireName(),
                                    "base", pr.base(), "head", pr.headCommit() == null ? "" : pr.headCommit())),
                    () -> t.forge().merge(t.repo(), pr, action.method()));
            return StepOutcome.succeeded(claim.ref(), outputs(merged), null, "merged " + merged.url() + " with " + action.method().wireName());
        } catch (Forge.ForgeFailure e) {
            return StepOutcome.failed(claim.ref(), (e.refused() ? "the forge refused the merge: " : "could not merge: ") + e.getMessage(), null, null);
        } catch (StepRefused | WriteRefused e) {
            return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
        }
    }

    private Target target(Claim claim) throws StepRefused, Forge.ForgeFailure {
        if (claim.repository() == null) {
            throw new StepRefused("the run works on no repository; start it with one");
        }
        Repository repo = integrations.repositories().find(claim.workspace(), claim.repository()).orElseThrow(() ->
                new StepRefused("repository '" + claim.repository() + "' is no longer registered in workspace '" + claim.workspace() + "'"));
        return new Target(integrations.forges().forRepository(repo), integrations.forges().target(repo), repo);
    }

    /** The number of the pull request the open-pr step {@code opener} opened (its outputs say). */
    private int number(Claim claim, String opener) throws StepRefused {
        var outputs = runs.templateContext(claim.runId()).outputs().get(opener);
        String n = outputs == null ? null : outputs.get("number");
        if (n == null) {
            throw new StepRefused("step '" + opener + "' has not opened a pull request in this run");
        }
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new StepRefused("step '" + opener + "' gave a pull request number '" + n + "' that is not a number");
        }
    }

    private static Map<String, String> outputs(PullRequest pr) {
        var out = new LinkedHashMap<String, String>();
        out.put("number", Integer.toString(pr.number()));
        out.put("url", pr.url());
        out.put("state", pr.state());
        if (pr.head() != null) {
            out.put("head", pr.head());
        }
        if (pr.base() != null) {
            out.put("base", pr.base());
        }
        if (pr.headCommit() != null) {
            out.put("headCommit", pr.headCommit());
        }
        if (pr.mergeCommit() != null) {
            out.put("mergeCommit", pr.mergeCommit());
        }
        return out;
    }

    /** The wait before check {@code n + 1}: doubling from the gate's poll interval, at most five minutes. */
    static Duration backoff(Duration first, int n) {
        Duration d = first;
        for (int i = 1; i < n && d.compareTo(StepAction.Gate.MAX_POLL) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(StepAction.Gate.MAX_POLL) > 0 ? StepAction.Gate.MAX_POLL : d;
    }

    private static String describe(Checks checks) {
        if (checks.checks().isEmpty()) {
            return "no checks reported";
        }
        var parts = new java.util.ArrayList<String>();
        for (var c : checks.checks()) {
            parts.add(c.name() + " " + c.state().name().toLowerCase());
        }
        return String.join(", ", parts);
    }

    private static String shortSha(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(12, sha.length()));
    }
}
