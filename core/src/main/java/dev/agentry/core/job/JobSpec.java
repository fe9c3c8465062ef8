package dev.agentry.core.job;

import java.time.Duration;
import java.util.Map;

/**
 * Everything a runner needs to execute one job: version 1 of the job protocol (docs/job-protocol.md).
 * A job is one attempt's work; its {@code jobId} is derived from the step's idempotency key, so an
 * attempt retried after its node died dispatches the same id and adopts the job still running.
 *
 * @param kind           {@code command} (run {@code run} in the working tree) or {@code sync-base}
 *                       (bring the base branch into the task branch; run {@code run}, the resolver, on conflict)
 * @param repository     the repository to work on; null for a job that needs only a scratch directory
 * @param taskBranch     the run's branch: created from the base on first use, resumed afterwards
 * @param run            the shell script, already rendered (values it refers to are in {@code env})
 * @param env            the process's environment on top of the harness's small default one
 * @param leftovers      what the harness does with changes the process did not commit
 * @param callback       where the runner may call back, with a short-lived token; null when not offered
 * @param secrets        the secrets the process gets, as single-use leases the harness exchanges just before it
 *                       starts the process; null for none
 */
public record JobSpec(
        int version,
        String jobId,
        String kind,
        long runId,
        String stepId,
        int attempt,
        String idempotencyKey,
        String workspace,
        RepositoryCheckout repository,
        String taskBranch,
        String run,
        Map<String, String> env,
        Timeouts timeouts,
        Leftovers leftovers,
        Callback callback,
        SecretLeases secrets) {

    public static final int VERSION = 1;
    public static final String COMMAND = "command";
    public static final String SYNC_BASE = "sync-base";

    public JobSpec(int version, String jobId, String kind, long runId, String stepId, int attempt, String idempotencyKey,
                   String workspace, RepositoryCheckout repository, String taskBranch, String run, Map<String, String> env,
                   Timeouts timeouts, Leftovers leftovers, Callback callback) {
        this(version, jobId, kind, runId, stepId, attempt, idempotencyKey, workspace, repository, taskBranch, run, env, timeouts,
                leftovers, callback, null);
    }

    public JobSpec {
        env = env == null ? Map.of() : Map.copyOf(env);
        leftovers = leftovers == null ? Leftovers.COMMIT : leftovers;
        timeouts = timeouts == null ? new Timeouts(null, null) : timeouts;
    }

    /**
     * Where the repository lives and how to reach it. The credential is used by the harness for fetch and
     * push only; the job's process never sees it.
     */
    public record RepositoryCheckout(String name, String url, String baseBranch, String credential) {
        @Override
        public String toString() {
            return "RepositoryCheckout[name=" + name + ", url=" + url + ", baseBranch=" + baseBranch
                    + ", credential=" + (credential == null ? "none" : "(redacted)") + "]";
        }
    }

    /**
     * @param wall     the longest the process may run; null means no limit
     * @param noOutput the longest the process may stay silent; null means no limit
     */
    public record Timeouts(Duration wall, Duration noOutput) {}

    /** What happens to changes left uncommitted when the process exits successfully. */
    public enum Leftovers {
        /** The harness commits them for the process. */
        COMMIT,
        /** The job fails: the process was expected to commit its own work. */
        FAIL
    }

    public record Callback(String url, String token) {
        @Override
        public String toString() {
            return "Callback[url=" + url + ", token=(redacted)]";
        }
    }

    /**
     * Secrets as leases: {@code POST {exchangeUrl}/api/leases/exchange} with {@code {"token": ...}} answers the value,
     * once. The harness puts each value in the process's environment under its variable, and redacts it from the
     * output.
     *
     * @param leases environment variable -> lease token
     */
    public record SecretLeases(String exchangeUrl, Map<String, String> leases) {
        public SecretLeases {
            leases = Map.copyOf(leases);
        }

        @Override
        public String toString() {
            return "SecretLeases[exchangeUrl=" + exchangeUrl + ", variables=" + leases.keySet() + "]";
        }
    }

    /** A stable job id that schedulers accept as a name: lower case letters, digits and dashes, at most 63. */
    public static String jobIdFor(String idempotencyKey) {
        String slug = idempotencyKey.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        String id = "agentry-" + slug;
        if (id.length() <= 63) {
            return id;
        }
        String hash = Integer.toHexString(idempotencyKey.hashCode());
        return id.substring(0, 63 - hash.length() - 1).replaceAll("-+$", "") + "-" + hash;
    }
}
