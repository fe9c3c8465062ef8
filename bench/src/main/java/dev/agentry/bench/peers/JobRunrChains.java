package dev.agentry.bench.peers;

import dev.agentry.bench.BenchResult;
import java.time.Duration;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration.JobRunrConfigurationResult;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

/**
 * The chains workload on JobRunr (org.jobrunr:jobrunr, the open-source edition).
 *
 * <p>Every step is a {@link JobRequest} ({@link ChainStep}: chain number and step index) handled by
 * {@link ChainStepHandler}; the handler of steps 1 and 2 enqueues the next step of its chain through
 * the {@link JobRequestScheduler}. JobRunr creates its own tables through its
 * {@link PostgresStorageProvider}; jobs are stored as JSON by its Jackson mapper. Only the background
 * job server is configured: no dashboard (so no web server), no JMX.
 *
 * <p>Configured for throughput within what JobRunr's documentation offers: the smallest poll
 * interval it accepts for a SQL database (5 s; it rejects anything lower), virtual-thread workers
 * (its default on Java 21+, which its docs recommend for throughput) and a worker count set
 * explicitly (32: twice its default of 8 per core, which measured clearly better; 64 and 128 did not
 * add more). A worker that finishes a job fetches new enqueued work at once, so a chain's next step
 * does not wait for the poll; the poll matters only when every worker is idle, which is the case at
 * t0: the run starts as soon as the server has registered itself, and JobRunr's first poll comes
 * about 1 s after the server started (a server that has been up for a while would make the first
 * jobs wait up to the full 5 s poll interval instead).
 */
public final class JobRunrChains {
    public static final String ENGINE = "jobrunr";
    /** Background job server workers; {@code -Dpeers.jobrunr.workers} overrides. */
    public static final int WORKERS = Integer.getInteger("peers.jobrunr.workers", 32);
    /** The smallest poll interval JobRunr allows with a SQL storage provider. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(5);
    private static final int STEPS = 3;

    private JobRunrChains() {
    }

    /** One step of one chain, as JobRunr stores it (serialised to JSON). */
    public record ChainStep(int chain, int step) implements JobRequest {
        @Override
        public Class<ChainStepHandler> getJobRequestHandler() {
            return ChainStepHandler.class;
        }
    }

    /** Runs a step: records its start, enqueues the chain's next step if any, and does nothing else. */
    public static final class ChainStepHandler implements JobRequestHandler<ChainStep> {
        private final ChainRecorder recorder;
        private volatile JobRequestScheduler scheduler;

        ChainStepHandler(ChainRecorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void run(ChainStep request) {
            recorder.started(request.chain(), request.step());
            int next = request.step() + 1;
            if (next < STEPS) {
                recorder.enqueued(request.chain(), next);
                scheduler.enqueue(new ChainStep(request.chain(), next));
            }
            recorder.finished(request.chain(), request.step());
        }
    }

    /** Runs {@code chains} chains of three no-op jobs on a fresh JobRunr server over {@code dataSource}, then stops it. */
    public static BenchResult run(DataSource dataSource, int chains) {
        ChainRecorder recorder = new ChainRecorder(chains, STEPS);
        ChainStepHandler handler = new ChainStepHandler(recorder);
        JobActivator activator = new JobActivator() {
            @Override
            public <T> T activateJob(Class<T> type) {
                return type.isInstance(handler) ? type.cast(handler) : null;
            }
        };
        StorageProvider storageProvider = new PostgresStorageProvider(dataSource);
        JobRunrConfigurationResult jobRunr = JobRunr.configure()
                .useJsonMapper(new JacksonJsonMapper())
                .useStorageProvider(storageProvider)
                .useJobActivator(activator)
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andName("agentry-bench")
                        .andWorkerCount(WORKERS)
                        .andPollInterval(POLL_INTERVAL))
                .initialize();
        BackgroundJobServer server = jobRunr.getBackgroundJobServer();
        JobRequestScheduler scheduler = jobRunr.getJobRequestScheduler();
        handler.scheduler = scheduler;
        try {
            awaitAnnounced(server);
            long t0 = recorder.now();
            for (int chain = 0; chain < chains; chain++) {
                recorder.enqueuedAt(chain, 0, t0);
            }
            scheduler.enqueue(IntStream.range(0, chains).mapToObj(chain -> new ChainStep(chain, 0)));
            return recorder.awaitResult(ENGINE, t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ENGINE + ": interrupted while waiting for the chains", e);
        } finally {
            server.stop();
            warnAboutLeftovers(storageProvider, recorder);
            JobRunr.destroy();
        }
    }

    /** JobRunr only fetches work once its server has registered itself; that start-up is not part of the run. */
    private static void awaitAnnounced(BackgroundJobServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!server.isAnnounced()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(ENGINE + ": background job server did not start within 60 s");
            }
            Thread.sleep(10);
        }
    }

    /** After the run every job should have succeeded; says so on stderr if not. Reads only. */
    private static void warnAboutLeftovers(StorageProvider storageProvider, ChainRecorder recorder) {
        try {
            long succeeded = storageProvider.countJobs(StateName.SUCCEEDED);
            long expected = (long) recorder.chains() * recorder.steps();
            if (succeeded != expected && recorder.chainsDone() == recorder.chains()) {
                System.err.println(ENGINE + ": warning: " + succeeded + " of " + expected + " jobs in state SUCCEEDED after the run");
            }
        } catch (RuntimeException e) {
            System.err.println(ENGINE + ": could not count succeeded jobs after the run: " + e.getMessage());
        }
        if (recorder.duplicateStarts() > 0) {
            System.err.println(ENGINE + ": warning: " + recorder.duplicateStarts() + " steps ran more than once");
        }
    }
}
