package dev.agentry.runners.local;

import dev.agentry.core.job.JobSpec;
import dev.agentry.core.job.JobState;
import dev.agentry.core.job.JobView;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.runners.harness.Harness;
import dev.agentry.runners.harness.JobExecution;
import dev.agentry.runners.harness.JobListener;
import dev.agentry.runners.harness.JobOutcome;
import dev.agentry.runners.harness.JobOutput;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Jobs on this machine, run by the {@link Harness} in this JVM: at most {@code slots} at once, the others
 * {@code QUEUED} in the order they came. Jobs are kept in memory, by id: a dispatch of a known id returns the
 * job as it is, and a finished job stays readable for {@code keepFinished} (or until released), so a poll that
 * comes late still sees how it ended. A JVM that was killed leaves its processes running; the next pool on the
 * same work root stops them with {@link #stopOrphans()}.
 */
public final class LocalPool implements RunnerPool {
    /** The most output one poll returns. */
    public static final int OUTPUT_CHUNK = 64 * 1024;

    /**
     * @param slots        how many jobs run at once
     * @param logCapacity  bytes of each job's output held: what polls can still read, and the job's log
     * @param keepFinished how long a finished job is kept for polls
     * @param killGrace    how long a stopped process tree has between TERM and KILL
     */
    public record Settings(Path workRoot, int slots, int logCapacity, Clock clock, Duration keepFinished, Duration killGrace,
                           Path agentryBin) {
        public Settings(Path workRoot, int slots, int logCapacity, Clock clock, Duration keepFinished, Duration killGrace) {
            this(workRoot, slots, logCapacity, clock, keepFinished, killGrace, null);
        }

        public Settings {
            if (workRoot == null) {
                throw new IllegalArgumentException("workRoot is required");
            }
            if (slots < 1) {
                throw new IllegalArgumentException("slots must be at least 1, got " + slots);
            }
            if (logCapacity < 1024) {
                throw new IllegalArgumentException("logCapacity must be at least 1024 bytes, got " + logCapacity);
            }
            clock = clock == null ? Clock.systemUTC() : clock;
            keepFinished = keepFinished == null ? Duration.ofMinutes(10) : keepFinished;
            killGrace = killGrace == null ? Duration.ofSeconds(3) : killGrace;
        }
    }

    private final Settings settings;
    private final Harness harness;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Job> jobs = new HashMap<>();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private int running;
    private boolean closed;

    public LocalPool(Path workRoot, int slots, int logCapacity, Clock clock) {
        this(new Settings(workRoot, slots, logCapacity, clock, null, null));
    }

    public LocalPool(Settings settings) {
        this.settings = settings;
        this.harness = new Harness(new Harness.Settings(settings.workRoot(), settings.clock(), settings.killGrace(), null,
                settings.agentryBin()));
    }

    /**
     * Stops the processes a JVM that used this work root before left running when it was killed, and removes
     * its working trees. Call once, before the first dispatch. Returns how many process trees were stopped.
     */
    public int stopOrphans() {
        return harness.stopOrphans();
    }

    @Override
    public JobView dispatch(JobSpec spec) throws PoolUnavailable {
        if (spec == null || spec.jobId() == null) {
            throw new IllegalArgumentException("a job spec with a jobId is required");
        }
        Job job;
        lock.lock();
        try {
            if (closed) {
                throw new PoolUnavailable("the local pool is closed");
            }
            forgetExpired();
            job = jobs.get(spec.jobId());
            if (job == null) {
                job = new Job(spec);
                jobs.put(spec.jobId(), job);
                if (running < settings.slots()) {
                    start(job);
                } else {
                    queue.addLast(job);
                }
            }
        } finally {
            lock.unlock();
        }
        return job.view(-1);
    }

    @Override
    public JobView poll(String jobId, Duration wait, long outputFrom) {
        Job job;
        lock.lock();
        try {
            forgetExpired();
            job = jobs.get(jobId);
        } finally {
            lock.unlock();
        }
        if (job == null) {
            return JobView.lost(jobId, "unknown job");
        }
        return job.await(wait == null ? Duration.ZERO : wait, outputFrom);
    }

    @Override
    public void release(String jobId) {
        Job job;
        lock.lock();
        try {
            job = jobs.remove(jobId);
            if (job != null) {
                queue.remove(job);
            }
        } finally {
            lock.unlock();
        }
        if (job != null) {
            job.execution.stop("released");
        }
    }

    /** Stops every job, running or queued, and waits for their trees to be removed. */
    @Override
    public void close() {
        List<Job> all;
        lock.lock();
        try {
            closed = true;
            for (Job queued : queue) {
                queued.finished(JobOutcome.failed(JobOutcome.Cause.STOPPED, "the pool was closed before the job started", null, null));
            }
            queue.clear();
            all = new ArrayList<>(jobs.values());
        } finally {
            lock.unlock();
        }
        List<Thread> stoppers = all.stream()
                .map(job -> Thread.ofVirtual().start(() -> job.execution.stop("the pool was closed")))
                .toList();
        for (Thread t : stoppers) {
            join(t, Duration.ofSeconds(30));
        }
        for (Job job : all) {
            Thread t = job.thread;
            if (t != null) {
                join(t, Duration.ofSeconds(30));
            }
        }
    }

    private static void join(Thread t, Duration d) {
        try {
            t.join(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** With the lock held. */
    private void start(Job job) {
        running++;
        job.started();
        job.thread = Thread.ofPlatform().name("job-" + job.spec.jobId()).start(() -> {
            JobOutcome outcome;
            try {
                outcome = job.execution.run();
            } catch (RuntimeException e) {
                outcome = JobOutcome.failed(JobOutcome.Cause.HARNESS, "the harness failed: " + e, null, job.output.tail());
            }
            job.finished(outcome);
            lock.lock();
            try {
                running--;
                Job next = queue.pollFirst();
                if (next != null && !closed) {
                    start(next);
                }
            } finally {
                lock.unlock();
            }
        });
    }

    /** With the lock held: finished jobs kept past their time are forgotten. */
    private void forgetExpired() {
        Instant now = settings.clock().instant();
        jobs.values().removeIf(job -> job.expired(now));
    }

    /** A job and what is known about it; its monitor guards its state and wakes long polls. */
    private final class Job implements JobListener {
        final JobSpec spec;
        final JobOutput output;
        final JobExecution execution;
        volatile Thread thread;
        private JobState state = JobState.QUEUED;
        private Map<String, Object> progress;
        private Instant startedAt;
        private Instant progressAt;
        private JobOutcome outcome;
        private Instant finishedAt;
        /** Counts changes of state and progress, so that a poll returns on any of them. */
        private long changes;

        Job(JobSpec spec) {
            this.spec = spec;
            this.output = new JobOutput(settings.logCapacity(), settings.clock(), this::signal);
            this.execution = harness.prepare(spec, output, this);
        }

        private synchronized void signal() {
            notifyAll();
        }

        synchronized void started() {
            state = JobState.RUNNING;
            startedAt = settings.clock().instant();
            changes++;
            notifyAll();
        }

        @Override
        public synchronized void processStarted() {
            startedAt = settings.clock().instant();
        }

        @Override
        public synchronized void progress(Map<String, Object> reported) {
            progress = reported;
            progressAt = settings.clock().instant();
            changes++;
            notifyAll();
        }

        synchronized void finished(JobOutcome ended) {
            outcome = ended;
            state = ended.state();
            finishedAt = settings.clock().instant();
            changes++;
            notifyAll();
        }

        synchronized boolean expired(Instant now) {
            return finishedAt != null && finishedAt.plus(settings.keepFinished()).isBefore(now);
        }

        /**
         * Waits until the job finishes, changes, or prints past {@code from} (a negative {@code from} asks for no
         * output), or {@code wait} passes.
         */
        synchronized JobView await(Duration wait, long from) {
            long deadline = System.nanoTime() + wait.toNanos();
            long seen = changes;
            long left;
            while (!state.finished() && changes == seen && (from < 0 || output.readableEnd() <= from)
                    && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return view(from);
        }

        synchronized JobView view(long from) {
            JobView.Output out = from < 0 ? null : output.read(from, OUTPUT_CHUNK, state.finished());
            Instant heartbeat = latest(latest(startedAt, output.lastOutputAt()), progressAt);
            return new JobView(spec.jobId(), state, progress, heartbeat,
                    outcome == null ? null : outcome.result(), outcome == null ? null : outcome.failure(), out);
        }

        private static Instant latest(Instant a, Instant b) {
            return a == null ? b : b == null || a.isAfter(b) ? a : b;
        }
    }
}
