package dev.agentry.runners.harness;

import java.util.Map;

/** What a running job tells its pool besides its output (which goes to its {@link JobOutput}). */
public interface JobListener {
    JobListener NONE = new JobListener() {};

    /** The job's process has been started. */
    default void processStarted() {}

    /** The process reported progress (a JSON object written to {@code AGENTRY_PROGRESS}). */
    default void progress(Map<String, Object> progress) {}
}
