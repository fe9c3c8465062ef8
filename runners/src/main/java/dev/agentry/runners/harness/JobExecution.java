package dev.agentry.runners.harness;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobView;
import dev.agentry.core.pipeline.Durations;
import dev.agentry.runners.git.Git;
import dev.agentry.runners.harness.JobOutcome.Cause;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One job, run once by {@link #run()} on the caller's thread, and stoppable from any other by {@link #stop}.
 * Never throws for the job's own failure: every way a job can end is a {@link JobOutcome}.
 */
public final class JobExecution {
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL");
    /** How often a running process is looked at: timeouts, progress, late children. */
    private static final Duration TICK = Duration.ofMillis(200);
    private static final java.net.http.HttpClient EXCHANGE = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final com.fasterxml.jackson.databind.ObjectMapper LEASES = new com.fasterxml.jackson.databind.ObjectMapper();
    /** The job's secrets once exchanged (variable -> value), and what takes them out of its output. */
    private Map<String, String> secretValues;
    private volatile dev.agentry.core.secret.Redactor redactor;
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int LISTED = 50;

    private final Harness harness;
    private final JobSpec spec;
    private final JobOutput output;
    private final JobListener listener;
    private final long dispatchedAt;
    private volatile long lastOutputNanos;
    private String stopReason;
    private ProcessTree tree;
    private boolean ran;

    JobExecution(Harness harness, JobSpec spec, JobOutput output, JobListener listener, long dispatchedAt) {
        this.harness = harness;
        this.spec = spec;
        this.output = output;
        this.listener = listener;
        this.dispatchedAt = dispatchedAt;
    }

    public JobSpec spec() {
        return spec;
    }

    /** A job that cannot go on: the outcome it ends with. */
    private static final class Failed extends Exception {
        final JobOutcome outcome;

        Failed(JobOutcome outcome) {
            super(outcome.failure().message(), null, false, false);
            this.outcome = outcome;
        }
    }

    private Failed fail(String cause, String message) {
        return fail(cause, message, null);
    }

    private Failed fail(String cause, String message, Integer exitCode) {
        return new Failed(JobOutcome.failed(cause, message, exitCode, output.tail()));
    }

    /**
     * Stops the job: its process tree if it runs (TERM, then KILL after the harness's grace), or the job before
     * its process starts. The job ends {@code FAILED} with cause {@code stopped}, unless it had already ended.
     */
    public void stop(String why) {
        ProcessTree running;
        synchronized (this) {
            if (stopReason == null) {
                stopReason = why == null ? "stopped" : why;
            }
            running = tree;
        }
        if (running != null) {
            running.stop(harness.settings().killGrace());
        }
    }

    private synchronized String stopReason() {
        return stopReason;
    }

    /** Runs the job to its end; call once. */
    public JobOutcome run() {
        synchronized (this) {
            if (ran) {
                throw new IllegalStateException("job " + spec.jobId() + " was run already");
            }
            ran = true;
        }
        Path jobDir = null;
        WorkingTree tree = null;
        try {
            validate();
            jobDir = harness.settings().workRoot().resolve("jobs").resolve(spec.jobId());
            Harness.deleteTree(jobDir);
            Files.createDirectories(jobDir);
            Reports reports = new Reports(jobDir.resolve("outputs"), jobDir.resolve("progress"));
            if (spec.repository() == null) {
                return scratch(reports);
            }
            tree = checkout();
            return JobSpec.SYNC_BASE.equals(spec.kind()) ? syncBase(tree, reports) : command(tree, reports);
        } catch (Failed f) {
            return f.outcome;
        } catch (Git.GitFailure e) {
            return JobOutcome.failed(Cause.GIT, redacted(e.getMessage()), null, output.tail());
        } catch (IOException | RuntimeException e) {
            return JobOutcome.failed(Cause.HARNESS, "the harness could not run the job: " + redacted(String.valueOf(e)),
                    null, output.tail());
        } finally {
            if (tree != null) {
                release(tree);
            }
            if (jobDir != null) {
                try {
                    Harness.deleteTree(jobDir);
                } catch (IOException ignored) {
                    // removed when a job of the same id starts
                }
            }
        }
    }

    private void validate() throws Failed {
        List<String> problems = new java.util.ArrayList<>();
        if (spec.version() != JobSpec.VERSION) {
            problems.add("version: expected " + JobSpec.VERSION + ", got " + spec.version());
        }
        if (spec.jobId() == null || !JOB_ID.matcher(spec.jobId()).matches()) {
            problems.add("jobId: expected letters, digits, '.', '_' or '-' (at most 128), got " + spec.jobId());
        }
        if (!JobSpec.COMMAND.equals(spec.kind()) && !JobSpec.SYNC_BASE.equals(spec.kind())) {
            problems.add("kind: expected command or sync-base, got " + spec.kind());
        }
        if (spec.stepId() == null || spec.stepId().isBlank()) {
            problems.add("stepId: required");
        }
        var repo = spec.repository();
        if (repo == null) {
            if (JobSpec.SYNC_BASE.equals(spec.kind())) {
                problems.add("repository: required for a sync-base job");
            }
        } else {
            if (repo.url() == null || repo.url().isBlank() || repo.url().startsWith("-")) {
                problems.add("repository.url: required, and not starting with '-'");
            }
            if (!branchName(repo.baseBranch())) {
                problems.add("repository.baseBranch: expected a branch name, got " + repo.baseBranch());
            }
            if (!branchName(spec.taskBranch())) {
                problems.add("taskBranch: expected a branch name, got " + spec.taskBranch());
            }
            if (repo.baseBranch() != null && repo.baseBranch().equals(spec.taskBranch())) {
                problems.add("taskBranch: must differ from the base branch " + repo.baseBranch());
            }
        }
        var timeouts = spec.timeouts();
        if (timeouts.wall() != null && !timeouts.wall().isPositive()) {
            problems.add("timeouts.wall: expected a positive duration, got " + timeouts.wall());
        }
        if (timeouts.noOutput() != null && !timeouts.noOutput().isPositive()) {
            problems.add("timeouts.noOutput: expected a positive duration, got " + timeouts.noOutput());
        }
        if (JobSpec.COMMAND.equals(spec.kind()) && (spec.run() == null || spec.run().isBlank())) {
            problems.add("run: required for a command job");
        }
        if (!problems.isEmpty()) {
            throw fail(Cause.INVALID, "invalid job spec: " + String.join("; ", problems));
        }
    }

    /** What {@code git check-ref-format --branch} accepts, a little stricter (checked without running git). */
    private static boolean branchName(String name) {
        return name != null && !name.isEmpty() && name.length() <= 200 && !name.startsWith("-") && !name.startsWith("/")
                && !name.endsWith("/") && !name.endsWith(".") && !name.endsWith(".lock") && !name.contains("..")
                && !name.contains("//") && !name.contains("@{") && !name.contains("/.") && !name.startsWith(".")
                && name.chars().noneMatch(c -> c < 0x21 || c == 0x7f || "~^:?*[\\".indexOf(c) >= 0);
    }

    /** A job without a repository: the run's scratch directory, shared by its jobs. */
    private JobOutcome scratch(Reports reports) throws Failed, IOException {
        Path dir = harness.settings().workRoot().resolve("runs").resolve(Long.toString(spec.runId()));
        Files.createDirectories(dir);
        int exit = runProcess(dir, environment(dir, reports), reports);
        if (exit != 0) {
            throw fail(Cause.EXIT, "exited with code " + exit, exit);
        }
        return JobOutcome.done(new JobView.Result(null, null, null, null, List.of(), null, outputs(reports), exit, output.tail()));
    }

    /** The mirror brought up to date with the remote's base and task branch, and the job's tree made from it. */
    private WorkingTree checkout() throws Failed, IOException {
        var repo = spec.repository();
        Mirror mirror;
        Map<String, String> heads;
        try {
            mirror = harness.mirror(repo);
            mirror.open();
            mirror.lock().lock();
            try {
                heads = mirror.heads(repo.credential(), List.of(repo.baseBranch(), spec.taskBranch()), dispatchedAt);
            } finally {
                mirror.lock().unlock();
            }
        } catch (Git.GitFailure e) {
            throw fail(Cause.GIT, "could not fetch from " + Mirror.withoutUserInfo(repo.url()) + ": " + redacted(e.getMessage()));
        }
        String start = heads.get(spec.taskBranch()) != null ? heads.get(spec.taskBranch()) : heads.get(repo.baseBranch());
        if (start == null) {
            throw fail(Cause.GIT, "the repository " + Mirror.withoutUserInfo(repo.url()) + " has neither the task branch "
                    + spec.taskBranch() + " nor the base branch " + repo.baseBranch());
        }
        if (stopReason() != null) {
            throw fail(Cause.STOPPED, stopReason());
        }
        Path idle = harness.takeIdle(mirror);
        if (idle != null) {
            try {
                return WorkingTree.reuse(mirror, idle, spec.taskBranch(), start, harness.liveTrees()::contains);
            } catch (WorkingTree.BranchBusy e) {
                // the tree was not touched: still detached, still fit for the next job
                discardAll(mirror, harness.park(mirror, idle));
                throw fail(Cause.BRANCH_BUSY, e.getMessage());
            } catch (IOException | RuntimeException e) {
                // not in a state that resets cleanly: replaced by a new tree
                discardAll(mirror, List.of(idle));
            }
        }
        Path dir = harness.newTree(spec.jobId());
        try {
            return WorkingTree.create(mirror, dir, spec.taskBranch(), start, harness.liveTrees()::contains);
        } catch (WorkingTree.BranchBusy e) {
            harness.discarded(dir);
            throw fail(Cause.BRANCH_BUSY, e.getMessage());
        } catch (IOException | RuntimeException e) {
            try {
                Harness.deleteTree(dir);
            } catch (IOException ignored) {
                // removed when a job of the same id starts
            }
            harness.discarded(dir);
            throw e;
        }
    }

    /**
     * The job's tree when the job ends: parked for the next job on the mirror (its branch freed), or removed when
     * it cannot be parked.
     */
    private void release(WorkingTree tree) {
        try {
            tree.park();
            discardAll(tree.mirror(), harness.park(tree.mirror(), tree.dir()));
            return;
        } catch (IOException | RuntimeException e) {
            // removed instead
        }
        try {
            tree.remove();
        } catch (IOException e) {
            // removed when a tree of the same name is made, or by stopOrphans
        }
        harness.discarded(tree.dir());
    }

    private void discardAll(Mirror mirror, List<Path> dirs) {
        for (Path dir : dirs) {
            try {
                WorkingTree.discard(mirror, dir);
            } catch (IOException | RuntimeException e) {
                // removed when a tree of the same name is made, or by stopOrphans
            }
            harness.discarded(dir);
        }
    }

    private JobOutcome command(WorkingTree tree, Reports reports) throws Failed, IOException {
        int exit = runProcess(tree.dir(), environment(tree.dir(), reports), reports);
        if (exit != 0) {
            throw fail(Cause.EXIT, "exited with code " + exit, exit);
        }
        Map<String, String> outputs = outputs(reports);
        String head = settle(tree, List.of());
        String summary = head.equals(tree.start()) ? "no changes" : tree.subject(head);
        return finish(tree, head, summary, outputs, exit);
    }

    /** Brings the base branch into the task branch; on conflict, the spec's script (if any) resolves it. */
    private JobOutcome syncBase(WorkingTree tree, Reports reports) throws Failed, IOException {
        String base = spec.repository().baseBranch();
        String baseRef = Mirror.TRACKING + base;
        Git.Result merge = tree.git().tryRun("merge", "--no-edit", "--no-verify", "-m",
                "agentry: merge " + base + " into " + spec.taskBranch(), baseRef);
        Map<String, String> outputs = Map.of();
        Integer exit = null;
        List<String> conflicted = List.of();
        if (!merge.ok()) {
            conflicted = tree.unmerged();
            if (conflicted.isEmpty()) {
                throw fail(Cause.GIT, "git merge " + base + " failed: " + merge.err().strip());
            }
            String files = listed(conflicted);
            if (spec.run() == null || spec.run().isBlank()) {
                tree.git().tryRun("merge", "--abort");
                throw fail(Cause.CONFLICT, "merging " + base + " into " + spec.taskBranch() + " conflicts in " + files
                        + "; no resolver was given");
            }
            exit = runProcess(tree.dir(), environment(tree.dir(), reports), reports);
            if (exit != 0) {
                throw fail(Cause.EXIT, "the conflict resolver exited with code " + exit + " (conflicts in " + files + ")", exit);
            }
            outputs = outputs(reports);
            if (tree.merging()) {
                List<String> marked = tree.withConflictMarkers(conflicted);
                if (!marked.isEmpty()) {
                    throw fail(Cause.CONFLICT, "conflict markers remain in " + listed(marked) + " after the resolver");
                }
                // The resolver's work is resolving; concluding the merge is the harness's.
                tree.git().run("add", "--all");
                tree.git().run("commit", "--quiet", "--no-edit", "--no-verify");
            }
            if (!tree.contains(baseRef)) {
                throw fail(Cause.CONFLICT, "the resolver did not complete the merge of " + base + " (conflicts were in "
                        + files + ")");
            }
        }
        String head = settle(tree, conflicted);
        String summary;
        if (head.equals(tree.start())) {
            summary = "already up to date with " + base;
        } else {
            int commits = tree.commitsBetween(tree.start(), baseRef);
            summary = "merged " + base + " (" + commits + (commits == 1 ? " commit" : " commits") + ") into "
                    + spec.taskBranch() + (conflicted.isEmpty() ? "" : ", conflicts in " + listed(conflicted) + " resolved");
        }
        return finish(tree, head, summary, outputs, exit);
    }

    /**
     * What the process left, made final: HEAD must be on the task branch; changes not committed are committed or
     * fail the job (per the spec's leftovers); files that had conflicts must have no markers left. Returns the
     * commit to push.
     */
    private String settle(WorkingTree tree, List<String> conflicted) throws Failed, IOException {
        String headRef = tree.headRef();
        if (!("refs/heads/" + spec.taskBranch()).equals(headRef)) {
            throw fail(Cause.BRANCH, "the process left HEAD " + (headRef == null ? "detached" : "on " + headRef)
                    + " instead of on the task branch " + spec.taskBranch() + "; nothing was pushed");
        }
        List<String> left = tree.uncommitted();
        if (!left.isEmpty()) {
            if (spec.leftovers() == JobSpec.Leftovers.FAIL) {
                throw fail(Cause.UNCOMMITTED, "the process left changes uncommitted in " + listed(left) + "; nothing was pushed");
            }
            tree.commitAll("agentry: changes left uncommitted by " + spec.stepId());
        }
        List<String> marked = tree.withConflictMarkers(conflicted);
        if (!marked.isEmpty()) {
            throw fail(Cause.CONFLICT, "conflict markers were committed in " + listed(marked) + "; nothing was pushed");
        }
        return tree.head();
    }

    /** Pushes what the job made (if anything) and says what it was. */
    private JobOutcome finish(WorkingTree tree, String head, String summary, Map<String, String> outputs, Integer exit)
            throws Failed, IOException {
        List<String> changed = List.of();
        if (!head.equals(tree.start())) {
            var repo = spec.repository();
            Mirror.PushResult pushed;
            tree.mirror().lock().lock();
            try {
                pushed = tree.mirror().push(repo.credential(), spec.taskBranch(), head);
            } catch (Git.GitFailure e) {
                throw fail(Cause.GIT, "could not push " + spec.taskBranch() + " to " + Mirror.withoutUserInfo(repo.url())
                        + ": " + redacted(e.getMessage()));
            } finally {
                tree.mirror().lock().unlock();
            }
            if (pushed == Mirror.PushResult.MOVED) {
                throw fail(Cause.BRANCH_MOVED, "the task branch " + spec.taskBranch() + " moved on the remote while the job ran"
                        + " (it started from " + tree.start().substring(0, 12) + "); the push was refused and nothing was pushed");
            }
            changed = tree.changed(tree.start(), head);
        }
        return JobOutcome.done(new JobView.Result(spec.taskBranch(), head, null, summary, changed, null, outputs, exit,
                output.tail()));
    }

    private Map<String, String> outputs(Reports reports) throws Failed {
        try {
            var outputs = reports.outputs();
            if (redactor != null) {
                outputs.replaceAll((k, v) -> redactor.redact(v));
            }
            return outputs;
        } catch (IOException | IllegalArgumentException e) {
            throw fail(Cause.OUTPUTS, "could not read outputs from AGENTRY_OUTPUTS: " + e.getMessage());
        }
    }

    /**
     * The job's secrets, exchanged once, just before the first process starts: a lease is single-use, so a job
     * that runs its process twice (a resolver after a merge) exchanges them only the first time.
     */
    private Map<String, String> secrets() throws Failed {
        if (secretValues != null) {
            return secretValues;
        }
        var leases = spec.secrets();
        var values = new LinkedHashMap<String, String>();
        if (leases != null) {
            for (var lease : leases.leases().entrySet()) {
                values.put(lease.getKey(), exchange(leases.exchangeUrl(), lease.getKey(), lease.getValue()));
            }
        }
        secretValues = values;
        redactor = dev.agentry.core.secret.Redactor.of(values.values());
        return values;
    }

    private String exchange(String baseUrl, String variable, String token) throws Failed {
        String url = baseUrl.replaceAll("/+$", "") + "/api/leases/exchange";
        try {
            var body = LEASES.writeValueAsString(java.util.Map.of("token", token));
            var response = EXCHANGE.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw fail(Cause.SECRETS, "the lease for " + variable + " was refused by " + url + " (HTTP " + response.statusCode()
                        + "): it expired, was used already, or its secret is gone; the process did not start");
            }
            var value = LEASES.readTree(response.body()).path("value");
            if (!value.isTextual()) {
                throw fail(Cause.SECRETS, "the lease exchange at " + url + " answered no value for " + variable);
            }
            return value.asText();
        } catch (IOException e) {
            throw fail(Cause.SECRETS, "could not exchange the lease for " + variable + " at " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(Cause.STOPPED, "interrupted while exchanging leases");
        }
    }

    private Map<String, String> environment(Path dir, Reports reports) throws Failed {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        // The process's git is isolated like the harness's own; its commits are Agentry's unless the step says otherwise.
        Git.isolate(env);
        spec.env().forEach((k, v) -> {
            if (k != null && v != null) {
                env.put(k, v);
            }
        });
        env.putAll(secrets());
        env.put("AGENTRY_RUN_ID", Long.toString(spec.runId()));
        env.put("AGENTRY_STEP_ID", spec.stepId());
        env.put("AGENTRY_ATTEMPT", Integer.toString(spec.attempt()));
        env.put("AGENTRY_IDEMPOTENCY_KEY", spec.idempotencyKey() == null ? "" : spec.idempotencyKey());
        env.put("AGENTRY_JOB_ID", spec.jobId());
        env.put("AGENTRY_OUTPUTS", reports.outputsFile().toString());
        env.put("AGENTRY_PROGRESS", reports.progressFile().toString());
        env.put("AGENTRY_WORKDIR", dir.toString());
        if (harness.settings().agentryBin() != null) {
            env.put("AGENTRY_BIN", harness.settings().agentryBin().toString());
        }
        if (spec.repository() != null) {
            env.put("AGENTRY_BRANCH", spec.taskBranch());
            env.put("AGENTRY_BASE_BRANCH", spec.repository().baseBranch());
        }
        return env;
    }

    /**
     * Runs the spec's script in {@code dir} and returns its exit code, once the process and everything it
     * started are gone. Fails on a timeout or a stop.
     */
    private int runProcess(Path dir, Map<String, String> env, Reports reports) throws Failed, IOException {
        var builder = new ProcessBuilder("/bin/sh", "-c", spec.run())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        ProcessTree running;
        synchronized (this) {
            if (stopReason != null) {
                throw fail(Cause.STOPPED, stopReason);
            }
            running = ProcessTree.start(builder, harness.pids());
            tree = running;
        }
        Process process = running.process();
        long started = System.nanoTime();
        lastOutputNanos = started;
        listener.processStarted();
        Thread pump = Thread.ofPlatform().daemon().name("output-" + spec.jobId()).start(() -> pump(process.getInputStream()));
        Duration wall = spec.timeouts().wall();
        Duration silence = spec.timeouts().noOutput();
        String killedFor = null;
        String message = null;
        try {
            while (true) {
                long now = System.nanoTime();
                long wait = TICK.toNanos();
                if (wall != null) {
                    long left = started + wall.toNanos() - now;
                    if (left <= 0) {
                        killedFor = Cause.TIMEOUT;
                        message = "ran longer than its wall-clock limit of " + Durations.format(wall)
                                + "; stopped with everything it started";
                        break;
                    }
                    wait = Math.min(wait, left);
                }
                if (silence != null) {
                    long left = lastOutputNanos + silence.toNanos() - now;
                    if (left <= 0) {
                        killedFor = Cause.NO_OUTPUT;
                        message = "printed nothing for " + Durations.format(silence) + "; stopped with everything it started";
                        break;
                    }
                    wait = Math.min(wait, left);
                }
                if (process.waitFor(Math.max(1, wait), TimeUnit.NANOSECONDS) || stopReason() != null) {
                    break;
                }
                running.observe();
                Map<String, Object> progress = reports.progress();
                if (progress != null) {
                    listener.progress(progress);
                }
            }
            // After a timeout, and after the shell exits while something it started lives on: nothing of a job
            // outlives it (the tree it ran in is about to be removed).
            running.stop(harness.settings().killGrace());
            pump.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            running.stop(harness.settings().killGrace());
            Thread.currentThread().interrupt();
            throw fail(Cause.STOPPED, "interrupted");
        } finally {
            running.forget();
            synchronized (this) {
                tree = null;
            }
            Map<String, Object> progress = reports.progress();
            if (progress != null) {
                listener.progress(progress);
            }
        }
        if (stopReason() != null) {
            throw fail(Cause.STOPPED, stopReason());
        }
        if (killedFor != null) {
            throw fail(killedFor, message);
        }
        return process.exitValue();
    }

    /** Copies the process's output to the job's, with the values of its secrets taken out. */
    private void pump(InputStream in) {
        byte[] chunk = new byte[8192];
        var redacting = (redactor == null ? dev.agentry.core.secret.Redactor.of(List.of()) : redactor).stream(output::write);
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                lastOutputNanos = System.nanoTime();
                redacting.write(chunk, 0, n);
            }
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        } finally {
            redacting.finish();
        }
    }

    /** A message without the repository URL's user and password, nor the credential, should git have echoed them. */
    private String redacted(String message) {
        if (redactor != null && message != null) {
            message = redactor.redact(message);
        }
        var repo = spec.repository();
        if (repo == null || message == null) {
            return message;
        }
        String text = repo.url() == null ? message : message.replace(repo.url(), Mirror.withoutUserInfo(repo.url()));
        return repo.credential() == null || repo.credential().isEmpty() ? text : text.replace(repo.credential(), "(redacted)");
    }

    /** The first paths, and how many more. */
    private static String listed(List<String> paths) {
        String shown = String.join(", ", paths.subList(0, Math.min(LISTED, paths.size())));
        return paths.size() > LISTED ? shown + " and " + (paths.size() - LISTED) + " more" : shown;
    }
}
