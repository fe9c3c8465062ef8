package dev.agentry.core.engine;

import java.util.List;
import java.util.Optional;

/** Reads for people and tools. Never locks, never writes. */
public interface RunQueries {
    record RunFilter(String workspace, String pipeline, String status, int limit, Long before) {}

    Views.Page<Views.RunView> runs(RunFilter filter);

    Optional<Views.RunView> run(String workspace, long runId);

    List<Views.AttemptView> attempts(String workspace, long runId, String stepId);

    /** Logs of a run's finished attempts, oldest first: of all steps, or of one. */
    List<Views.LogView> logs(String workspace, long runId, String stepId);

    List<Views.DecisionView> decisions(String workspace, String status, int limit);

    Optional<Views.DecisionView> decision(String workspace, long decisionId);

    boolean workspaceExists(String workspace);
}
