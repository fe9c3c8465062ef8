package dev.agentry.core.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a runner says about a job (the answer to {@code GET /jobs/{id}}).
 *
 * @param progress    what the process last reported ({@code completed}, {@code inProgress}, {@code total}, and
 *                    anything else it chose to say); null when it reported nothing
 * @param heartbeatAt the job's last sign of life: started, printed, or reported progress
 * @param output      what the process printed from the offset the poll asked for; null when nothing new
 */
public record JobView(
        String jobId,
        JobState state,
        Map<String, Object> progress,
        Instant heartbeatAt,
        Result result,
        Failure error,
        Output output) {

    /**
     * @param summary      a line saying what the job did (the last commit's subject, or the harness's note)
     * @param changedFiles paths changed on the task branch by this job
     * @param outputs      the step outputs the process wrote to {@code AGENTRY_OUTPUTS}
     * @param log          the tail of the process's output, kept as the attempt's log
     */
    public record Result(String branch, String headCommit, String prUrl, String summary, List<String> changedFiles,
                         Map<String, Object> usage, Map<String, String> outputs, Integer exitCode, String log) {
        public Result {
            changedFiles = changedFiles == null ? List.of() : List.copyOf(changedFiles);
            // in the order the process wrote them
            outputs = outputs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
        }
    }

    /** Why a job failed: {@code message} for people, {@code cause} a stable word (timeout, no-output, exit, ...). */
    public record Failure(String message, String cause, Integer exitCode, String log) {}

    /**
     * Output from {@code from} (a byte offset into everything the process printed) to {@code next}. When the
     * runner no longer holds the bytes asked for, {@code from} is later than asked and the gap was skipped.
     */
    public record Output(long from, long next, String text) {}

    public static JobView queued(String jobId) {
        return new JobView(jobId, JobState.QUEUED, null, null, null, null, null);
    }

    public static JobView lost(String jobId, String why) {
        return new JobView(jobId, JobState.LOST, null, null, null, new Failure(why, "lost", null, null), null);
    }
}
