package dev.agentry.core.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated pipeline: a DAG of steps, stored in topological order (every step after the steps it needs).
 * {@code concurrency} caps how many runs of the pipeline are active at once; 0 means no cap. {@code repository}
 * names the registered repository its runs work on unless a run names another; null for none. {@code fragments}
 * are the prompt fragments every agent step of the pipeline gets.
 */
public record PipelineDefinition(
        String name,
        String description,
        Map<String, InputSpec> inputs,
        List<StepDefinition> steps,
        int concurrency,
        String repository,
        List<String> fragments) {

    public PipelineDefinition {
        fragments = fragments == null ? List.of() : List.copyOf(fragments);
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        steps = List.copyOf(steps);
    }

    /** Whether some step needs a repository to act on (pull requests, gates, merges). */
    public boolean needsRepository() {
        return steps.stream().anyMatch(s -> s.action() instanceof StepAction.OpenPullRequest
                || s.action() instanceof StepAction.Gate || s.action() instanceof StepAction.Merge);
    }

    public Optional<StepDefinition> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public StepDefinition requireStep(String id) {
        return step(id).orElseThrow(() -> new IllegalArgumentException("no step " + id + " in pipeline " + name));
    }

    /**
     * Resolves a run's inputs against the declaration: defaults filled in, required ones checked,
     * undeclared ones refused.
     */
    public Map<String, String> resolveInputs(Map<String, String> given) {
        var problems = new java.util.ArrayList<Problem>();
        var resolved = new LinkedHashMap<String, String>();
        for (var entry : given.keySet()) {
            if (!inputs.containsKey(entry)) {
                problems.add(new Problem("inputs." + entry, "pipeline '" + name + "' has no input '" + entry + "'"
                        + (inputs.isEmpty() ? "; it takes none" : "; it takes: " + String.join(", ", inputs.keySet()))));
            }
        }
        for (var spec : inputs.values()) {
            String value = given.get(spec.name());
            if (value == null) {
                value = spec.defaultValue();
            }
            if (value == null && spec.required()) {
                problems.add(new Problem("inputs." + spec.name(), "required input is missing"));
            } else if (value != null) {
                resolved.put(spec.name(), value);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputs(problems);
        }
        return resolved;
    }
}
