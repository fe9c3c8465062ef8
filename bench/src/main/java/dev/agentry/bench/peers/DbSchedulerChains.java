package dev.agentry.bench.peers;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.agentry.bench.BenchResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The chains workload on db-scheduler (com.github.kagkarlsson:db-scheduler).
 *
 * <p>A chain is three custom tasks, {@code chain-step-1..3}, sharing one instance id (the chain
 * number). Steps 1 and 2 end with db-scheduler's documented job-chaining idiom: their completion
 * handler replaces the finished execution with the next step, due now, in a single UPDATE
 * ({@code ExecutionOperations.removeAndScheduleNew}); step 3 is removed when done.
 *
 * <p>Configured for throughput as db-scheduler's README advises: polling strategy
 * {@code lock-and-fetch} ({@code select ... for update skip locked}, "if you are running >1000
 * executions/s") with the limits it gives for high throughput ({@code 1.0, 4.0} of the thread
 * count), immediate execution so that executions scheduled to now run without waiting for the
 * next poll, and more threads than the default 10 (its own benchmark used 20 to 100; here 10 threads
 * were clearly slower and 32, 50 and 100 alike, within noise).
 *
 * <p>The replace idiom is also the cheaper one: one UPDATE per step instead of an INSERT from inside
 * the handler plus the DELETE of the finished execution (measured here at roughly 25% fewer steps/s).
 */
public final class DbSchedulerChains {
    public static final String ENGINE = "db-scheduler";
    /** Executor threads; {@code -Dpeers.dbscheduler.threads} overrides. */
    public static final int THREADS = Integer.getInteger("peers.dbscheduler.threads", 32);
    /** lock-and-fetch limits as fractions of the thread count; {@code -Dpeers.dbscheduler.lower/upper} override. */
    static final double LOWER_LIMIT_FRACTION_OF_THREADS = doubleProperty("peers.dbscheduler.lower", 1.0);
    static final double UPPER_LIMIT_FRACTION_OF_THREADS = doubleProperty("peers.dbscheduler.upper", 4.0);
    /** Only a safety net: immediate execution and lock-and-fetch's own re-polling drive the run. */
    static final Duration POLLING_INTERVAL = Duration.ofSeconds(1);
    private static final int STEPS = 3;
    private static final String[] TASK_NAMES = {"chain-step-1", "chain-step-2", "chain-step-3"};

    private DbSchedulerChains() {
    }

    /** Creates db-scheduler's table, runs {@code chains} chains of three no-op steps, stops the scheduler. */
    public static BenchResult run(DataSource dataSource, int chains) {
        createTable(dataSource);
        ChainRecorder recorder = new ChainRecorder(chains, STEPS);
        List<Task<?>> tasks = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            tasks.add(stepTask(step, recorder));
        }
        Scheduler scheduler = Scheduler.create(dataSource, tasks)
                .schedulerName(new SchedulerName.Fixed("agentry-bench"))
                .threads(THREADS)
                .pollUsingLockAndFetch(LOWER_LIMIT_FRACTION_OF_THREADS, UPPER_LIMIT_FRACTION_OF_THREADS)
                .enableImmediateExecution()
                .pollingInterval(POLLING_INTERVAL)
                .shutdownMaxWait(Duration.ofSeconds(10))
                .build();
        scheduler.start();
        try {
            List<SchedulableInstance<?>> firstSteps = new ArrayList<>(chains);
            for (int chain = 0; chain < chains; chain++) {
                firstSteps.add(SchedulableInstance.of(new TaskInstance<Void>(TASK_NAMES[0], Integer.toString(chain)), Instant.now()));
            }
            long t0 = recorder.now();
            for (int chain = 0; chain < chains; chain++) {
                recorder.enqueuedAt(chain, 0, t0);
            }
            scheduler.scheduleBatch(firstSteps);
            return recorder.awaitResult(ENGINE, t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ENGINE + ": interrupted while waiting for the chains", e);
        } finally {
            scheduler.stop();
            warnAboutLeftovers(dataSource, recorder);
        }
    }

    private static double doubleProperty(String name, double fallback) {
        String value = System.getProperty(name);
        return value == null ? fallback : Double.parseDouble(value);
    }

    private static CustomTask<Void> stepTask(int step, ChainRecorder recorder) {
        boolean last = step == STEPS - 1;
        return Tasks.custom(TASK_NAMES[step], Void.class).execute((instance, context) -> {
            int chain = Integer.parseInt(instance.getId());
            recorder.started(chain, step);
            // The step's work: nothing.
            recorder.finished(chain, step);
            if (last) {
                return new CompletionHandler.OnCompleteRemove<>();
            }
            // Runs right after this handler, on the same thread, as part of this execution.
            return (complete, operations) -> {
                recorder.enqueued(chain, step + 1);
                operations.removeAndScheduleNew(
                        SchedulableInstance.of(new TaskInstance<Void>(TASK_NAMES[step + 1], instance.getId()), Instant.now()));
            };
        });
    }

    private static void createTable(DataSource dataSource) {
        String ddl;
        try (InputStream in = DbSchedulerChains.class.getResourceAsStream("/peers/db-scheduler.sql")) {
            if (in == null) {
                throw new IllegalStateException("resource /peers/db-scheduler.sql is missing from the classpath");
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(ddl);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create db-scheduler's table: " + e.getMessage(), e);
        }
    }

    /** After the run every execution should have been removed; says so on stderr if not. Reads only. */
    private static void warnAboutLeftovers(DataSource dataSource, ChainRecorder recorder) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select count(*) from scheduled_tasks")) {
            rs.next();
            long left = rs.getLong(1);
            if (left != 0 && recorder.chainsDone() == recorder.chains()) {
                System.err.println(ENGINE + ": warning: " + left + " executions still in scheduled_tasks after the run");
            }
        } catch (SQLException e) {
            System.err.println(ENGINE + ": could not check scheduled_tasks after the run: " + e.getMessage());
        }
        if (recorder.duplicateStarts() > 0) {
            System.err.println(ENGINE + ": warning: " + recorder.duplicateStarts() + " steps ran more than once");
        }
    }
}
