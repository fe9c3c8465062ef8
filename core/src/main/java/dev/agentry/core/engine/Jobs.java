package dev.agentry.core.engine;

import dev.agentry.core.audit.AuditEntry;
import dev.agentry.core.audit.WriteRefused;
import dev.agentry.core.secret.LeaseRequest;
import dev.agentry.core.secret.Redactor;
import dev.agentry.core.job.JobSpec;
import dev.agentry.core.policy.Action;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.core.pipeline.StepAction;
import dev.agentry.core.pipeline.StepDefinition;
import dev.agentry.core.pipeline.Template;
import dev.agentry.core.repo.Repository;
import dev.agentry.core.run.StepOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an attempt's job on its pool and waits for it: builds the job spec (the run's repository and branch,
 * the rendered command, its timeouts), dispatches it, and polls until it ends, passing its output, progress
 * and heartbeats on to the run as they come. A pool that cannot be reached is tried again with backoff: the
 * job's fate is unknown, so the attempt waits rather than fails, up to {@link #UNREACHABLE_LIMIT}.
 */
final class Jobs {
    private static final Logger log = LoggerFactory.getLogger(Jobs.class);
    /** How long one poll may wait for news (a long poll where the pool supports it). */
    private static final Duration POLL_WAIT = Duration.ofSeconds(1);
    /** The least time between two polls of one job, so a chatty job is not polled in a busy loop. */
    private static final Duration POLL_SPACING = Duration.ofMillis(200);
    /** A pool silent this long gives up the job as lost; its step is retried on a fresh runner. */
    static final Duration UNREACHABLE_LIMIT = Duration.ofMinutes(10);
    /** Past the step's own timeout, how long the node waits for the pool to stop the job before giving up on it. */
    private static final Duration TIMEOUT_GRACE = Duration.ofMinutes(1);
    /** The failure cause a harness reports when the task branch is checked out by another job on its machine. */
    static final String BRANCH_BUSY = "branch-busy";
    private static final Duration BRANCH_WAIT = Duration.ofSeconds(2);
    /** How long a job has to exchange its leases: they are exchanged as its process starts, after checkout. */
    private static final Duration LEASE_TTL = Duration.ofMinutes(15);
    /** An env value that is a secret and nothing else: {@code TOKEN: "{{ secrets.github }}"}. */
    private static final java.util.regex.Pattern SECRET_ENV = java.util.regex.Pattern.compile(
            "\\{\\{\\s*secrets\\.([a-z0-9][a-z0-9_-]{0,62})\\s*}}");

    private final RunStore runs;
    private final Integrations integrations;
    private final Clock clock;
    private final PolicyGuard guard;

    Jobs(RunStore runs, Integrations integrations, Clock clock) {
        this.runs = runs;
        this.integrations = integrations;
        this.clock = clock;
        this.guard = new PolicyGuard(integrations.policy());
    }

    StepOutcome run(Dispatcher.Running entry, StepDefinition step, StepAction.Command command, String kind, StreamOutput output) {
        return run(entry, step, command, kind, output, Map.of(), true);
    }

    /**
     * @param givenEnv environment values passed as they are (not templates): an agent's prompt and gateway settings
     */
    StepOutcome run(Dispatcher.Running entry, StepDefinition step, StepAction.Command command, String kind, StreamOutput output,
                    Map<String, String> givenEnv, boolean commandOfStep) {
        Claim claim = entry.claim;
        // read once: the policy's view of the run and the job spec both need them
        Template.Context context = runs.templateContext(claim.runId());
        Repository repository = claim.repository() == null ? null
                : integrations.repositories().find(claim.workspace(), claim.repository()).orElse(null);
        StepOutcome refused = guard(entry, command, commandOfStep, context.pipeline(), repository);
        if (refused != null) {
            return refused;
        }
        var pool = integrations.pools().find(claim.pool());
        if (pool.isEmpty()) {
            return StepOutcome.failed(claim.ref(), "pool '" + claim.pool() + "' is no longer registered", null, null);
        }
        RunnerPool adapter = pool.get().adapter();
        JobSpec spec;
        try {
            spec = spec(claim, step, command, kind, givenEnv, context, repository);
        } catch (StepRefused e) {
            return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
        }
        // The workspace's secrets are taken out of everything the job says, whether or not it was given any.
        entry.redactor = integrations.secrets().redactor(claim.workspace());
        entry.redacting = entry.redactor.stream(entry.output::write);
        if (spec.repository() == null) {
            return watch(entry, step, adapter, spec, output);
        }
        // The job pushes the run's branch when it ends: an external write, recorded in the audit log first.
        JobSpec job = spec;
        try {
            return integrations.writes().perform(AuditEntry.byStep("git-push", claim.workspace(), claim.runId(), claim.stepId(),
                            "repo " + spec.repository().name() + " branch " + spec.taskBranch(), Map.of("job", spec.jobId(), "kind", kind)),
                    () -> watch(entry, step, adapter, job, output),
                    outcome -> Map.of("outcome", outcome.getClass().getSimpleName().toLowerCase()));
        } catch (WriteRefused e) {
            return StepOutcome.failed(claim.ref(), e.getMessage(), null, null);
        }
    }

    /**
     * What the policy says of the job's actions: the command a step wrote (an agent's launcher is the operator's,
     * not the step's), the push of the run's branch, and each secret it leases. Null when all may go ahead.
     */
    private StepOutcome guard(Dispatcher.Running entry, StepAction.Command command, boolean commandOfStep, String pipeline,
                              Repository repository) {
        Claim claim = entry.claim;
        var context = new Action.Context(claim.workspace(), claim.runId(), claim.stepId(), null,
                pipeline);
        var actions = new java.util.ArrayList<Action>();
        if (commandOfStep && command.run() != null && !command.run().isBlank()) {
            actions.add(new Action.RunCommand(context, command.run(), null));
        }
        if (claim.repository() != null) {
            String base = repository == null ? null : repository.baseBranch();
            actions.add(new Action.GitPush(context, claim.repository(), claim.branch(), base));
        }
        // "" for a secret stored for no integration in particular (CEL sees a string either way)
        secretNames(command).forEach(name -> actions.add(new Action.LeaseSecret(context, name, "")));
        for (Action action : actions) {
            StepOutcome refused = guard.check(claim, action, line -> {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                entry.output.write(bytes, 0, bytes.length);
            });
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    /** The secrets a command uses: in its run, and as whole env values. */
    private static java.util.Set<String> secretNames(StepAction.Command command) {
        var names = new java.util.LinkedHashSet<String>();
        for (var ref : Template.references(command.run() == null ? "" : command.run(), "run", new java.util.ArrayList<>())) {
            if (ref instanceof Template.Reference.Secret secret) {
                names.add(secret.name());
            }
        }
        command.env().values().forEach(v -> {
            var whole = SECRET_ENV.matcher(v);
            if (whole.matches()) {
                names.add(whole.group(1));
            }
        });
        return names;
    }

    /** Dispatches the job and waits for it, passing its news on to the run. */
    private StepOutcome watch(Dispatcher.Running entry, StepDefinition step, RunnerPool adapter, JobSpec spec, StreamOutput output) {
        Claim claim = entry.claim;
        entry.jobPool = adapter;
        entry.jobId = spec.jobId();
        output.wake();
        try {
            JobView view = dispatch(entry, adapter, spec);
            long offset = 0;
            Instant deadline = step.timeout() == null ? null : clock.instant().plus(step.timeout()).plus(TIMEOUT_GRACE);
            Instant unreachableSince = null;
            while (!entry.lost && (view == null || !view.state().finished())) {
                if (deadline != null && clock.instant().isAfter(deadline)) {
                    adapter.release(spec.jobId());
                    return StepOutcome.failed(claim.ref(), "timed out after " + dev.agentry.core.pipeline.Durations.format(step.timeout())
                            + " (the pool did not stop the job; it was released)", null, entry.output.text());
                }
                long started = System.nanoTime();
                try {
                    view = adapter.poll(spec.jobId(), POLL_WAIT, offset);
                    unreachableSince = null;
                } catch (RunnerPool.PoolUnavailable e) {
                    unreachableSince = unreachableSince == null ? clock.instant() : unreachableSince;
                    if (Duration.between(unreachableSince, clock.instant()).compareTo(UNREACHABLE_LIMIT) > 0) {
                        return StepOutcome.lost(claim.ref(), "pool '" + claim.pool() + "' unreachable for "
                                + dev.agentry.core.pipeline.Durations.format(UNREACHABLE_LIMIT) + ": " + e.getMessage(), null);
                    }
                    log.debug("polling job {} on pool {}: {}", spec.jobId(), claim.pool(), e.getMessage());
                    sleep(Duration.ofSeconds(2));
                    continue;
                }
                offset = take(entry, view, offset);
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                if (!view.state().finished() && elapsed < POLL_SPACING.toMillis()) {
                    sleep(POLL_SPACING.minusMillis(elapsed));
                }
            }
            if (entry.lost) {
                return StepOutcome.expired(claim.ref());
            }
            if (entry.redacting != null) {
                entry.redacting.finish();
            }
            return redacted(outcome(claim, view, spec), entry.redactor);
        } catch (RunnerPool.PoolUnavailable e) {
            return StepOutcome.lost(claim.ref(), e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StepOutcome.expired(claim.ref());
        }
    }

    /** Dispatches, trying again while the pool cannot be reached (the same job id makes that harmless). */
    private JobView dispatch(Dispatcher.Running entry, RunnerPool adapter, JobSpec spec)
            throws RunnerPool.PoolUnavailable, InterruptedException {
        Instant since = clock.instant();
        Duration backoff = Duration.ofSeconds(1);
        while (true) {
            try {
                return adapter.dispatch(spec);
            } catch (RunnerPool.PoolUnavailable e) {
                if (entry.lost || Duration.between(since, clock.instant()).compareTo(UNREACHABLE_LIMIT) > 0) {
                    throw e;
                }
                log.info("pool '{}' could not take job {} ({}); trying again in {}", entry.claim.pool(), spec.jobId(),
                        e.getMessage(), dev.agentry.core.pipeline.Durations.format(backoff));
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
        }
    }

    /** Passes the job's news on to the run; returns the output offset to poll from next. */
    private long take(Dispatcher.Running entry, JobView view, long offset) {
        if (view.output() != null && view.output().text() != null && !view.output().text().isEmpty()) {
            byte[] bytes = view.output().text().getBytes(StandardCharsets.UTF_8);
            var redacting = entry.redacting;
            if (redacting != null) {
                redacting.write(bytes, 0, bytes.length);
            } else {
                entry.output.write(bytes, 0, bytes.length);
            }
        }
        if (view.progress() != null) {
            entry.reportProgress(view.progress(), clock.instant());
        } else if (view.heartbeatAt() != null && view.heartbeatAt().isAfter(entry.progressedAt)) {
            entry.progressedAt = view.heartbeatAt();
        }
        return view.output() == null ? offset : Math.max(offset, view.output().next());
    }

    private StepOutcome outcome(Claim claim, JobView view, JobSpec spec) {
        var ref = claim.ref();
        return switch (view.state()) {
            case DONE -> {
                var r = view.result();
                var outputs = new LinkedHashMap<String, String>();
                if (r != null) {
                    outputs.putAll(r.outputs());
                    put(outputs, "branch", r.branch());
                    put(outputs, "headCommit", r.headCommit());
                    put(outputs, "prUrl", r.prUrl());
                    put(outputs, "summary", r.summary());
                    if (!r.changedFiles().isEmpty()) {
                        outputs.putIfAbsent("changedFiles", String.join("\n", r.changedFiles()));
                    }
                } else if (spec.taskBranch() != null) {
                    outputs.put("branch", spec.taskBranch());
                }
                yield StepOutcome.succeeded(ref, outputs, r == null ? null : r.exitCode(), r == null ? null : r.log());
            }
            case LOST -> StepOutcome.lost(ref, "runner lost: " + message(view, "the pool no longer knows the job"),
                    view.error() == null ? null : view.error().log());
            default -> {
                var e = view.error();
                if (e != null && BRANCH_BUSY.equals(e.cause())) {
                    // Another step of the run holds the branch on that runner (parallel steps of one run share it):
                    // wait for it rather than fail; nothing ran.
                    yield StepOutcome.continued(ref, BRANCH_WAIT, claim.memo(), "waiting for the run's branch: " + e.message(), null);
                }
                yield StepOutcome.failed(ref, message(view, "the job failed"), e == null ? null : e.exitCode(), e == null ? null : e.log());
            }
        };
    }

    /** The outcome with every secret value of the workspace taken out of its error, log and outputs. */
    private static StepOutcome redacted(StepOutcome outcome, Redactor redactor) {
        if (redactor == null) {
            return outcome;
        }
        return switch (outcome) {
            case StepOutcome.Succeeded s -> {
                var outputs = new LinkedHashMap<String, String>();
                s.outputs().forEach((k, v) -> outputs.put(k, redactor.redact(v)));
                yield new StepOutcome.Succeeded(s.runId(), s.stepId(), s.attempt(), s.owner(), outputs, s.exitCode(), redact(redactor, s.log()));
            }
            case StepOutcome.Failed f -> new StepOutcome.Failed(f.runId(), f.stepId(), f.attempt(), f.owner(), redact(redactor, f.error()),
                    f.exitCode(), redact(redactor, f.log()));
            case StepOutcome.Lost l -> new StepOutcome.Lost(l.runId(), l.stepId(), l.attempt(), l.owner(), redact(redactor, l.error()),
                    redact(redactor, l.log()));
            default -> outcome;
        };
    }

    private static String redact(Redactor redactor, String text) {
        return text == null ? null : redactor.redact(text);
    }

    private static String message(JobView view, String fallback) {
        return view.error() == null || view.error().message() == null ? fallback : view.error().message();
    }

    private static void put(Map<String, String> outputs, String key, String value) {
        if (value != null) {
            outputs.putIfAbsent(key, value);
        }
    }

    /** Stops and forgets the job on its pool, in the background (a slow pool must not hold anyone up). */
    void release(Dispatcher.Running entry) {
        var adapter = entry.jobPool;
        String id = entry.jobId;
        if (adapter == null || id == null) {
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                adapter.release(id);
            } catch (RunnerPool.PoolUnavailable | RuntimeException e) {
                log.info("could not release job {} on pool '{}': {}", id, entry.claim.pool(), e.getMessage());
            }
        });
    }

    private JobSpec spec(Claim claim, StepDefinition step, StepAction.Command command, String kind, Map<String, String> givenEnv,
                         Template.Context context, Repository registered)
            throws StepRefused {
        var shell = Template.renderForShell(command.run(), context);
        var env = new LinkedHashMap<String, String>();
        var secretNames = new LinkedHashMap<String, String>(); // variable -> secret
        command.env().forEach((k, v) -> {
            var whole = SECRET_ENV.matcher(v);
            if (whole.matches()) {
                secretNames.put(k, whole.group(1));
            } else {
                env.put(k, Template.render(v, context));
            }
        });
        shell.variables().forEach((k, v) -> {
            if (k.startsWith(Template.SECRET_VARIABLE)) {
                secretNames.put(k, v);
            } else {
                env.put(k, v);
            }
        });
        env.putAll(givenEnv);
        JobSpec.SecretLeases leases = leases(claim, secretNames);
        JobSpec.RepositoryCheckout checkout = null;
        if (claim.repository() != null) {
            Repository repo = Optional.ofNullable(registered).orElseThrow(() ->
                    new StepRefused("repository '" + claim.repository() + "' is no longer registered in workspace '" + claim.workspace() + "'"));
            String credential = null;
            if (repo.credentialRef() != null) {
                credential = integrations.secrets().reveal(claim.workspace(), repo.credentialRef()).orElseThrow(() ->
                        new StepRefused("repository '" + repo.name() + "' names credential '" + repo.credentialRef()
                                + "', which is not set"));
            }
            checkout = new JobSpec.RepositoryCheckout(repo.name(), repo.url(), repo.baseBranch(), credential);
        } else if (JobSpec.SYNC_BASE.equals(kind)) {
            throw new StepRefused("a conflicts gate needs the run to have a repository");
        }
        return new JobSpec(JobSpec.VERSION, JobSpec.jobIdFor(claim.idempotencyKey()), kind, claim.runId(), claim.stepId(),
                claim.attempt(), claim.idempotencyKey(), claim.workspace(), checkout, claim.branch(), shell.script(), env,
                new JobSpec.Timeouts(step.timeout(), command.noOutputTimeout()),
                command.commitLeftovers() ? JobSpec.Leftovers.COMMIT : JobSpec.Leftovers.FAIL, null, leases);
    }

    /**
     * A lease for each secret the command uses, each recorded in the audit log before it is made. The job
     * exchanges them at the server as its process starts; the values are never in the spec.
     */
    private JobSpec.SecretLeases leases(Claim claim, Map<String, String> secretNames) throws StepRefused {
        if (secretNames.isEmpty()) {
            return null;
        }
        var server = integrations.agents().models().gatewayUrl();
        if (server == null) {
            throw new StepRefused("the step uses secrets, but this node does not know its own URL to hand out leases (gateway_url)");
        }
        var leases = new LinkedHashMap<String, String>();
        for (var secret : secretNames.entrySet()) {
            var request = new LeaseRequest(claim.workspace(), secret.getValue(), claim.runId(), claim.stepId(), LEASE_TTL, null);
            try {
                var lease = integrations.writes().perform(AuditEntry.byStep("secret-lease", claim.workspace(), claim.runId(),
                                claim.stepId(), "secret " + secret.getValue(), Map.of("variable", secret.getKey())),
                        () -> integrations.secrets().lease(request), made -> Map.of("lease", Long.toString(made.id())));
                leases.put(secret.getKey(), lease.token());
            } catch (WriteRefused e) {
                throw new StepRefused(e.getMessage());
            } catch (RuntimeException e) {
                throw new StepRefused("secret '" + secret.getValue() + "' cannot be leased to the step: " + e.getMessage());
            }
        }
        return new JobSpec.SecretLeases(server.toString(), leases);
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(Math.max(1, d.toMillis()));
    }
}
