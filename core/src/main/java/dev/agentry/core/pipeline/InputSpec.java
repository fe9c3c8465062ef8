package dev.agentry.core.pipeline;

/** A declared pipeline input. {@code defaultValue} is used when a run does not supply it. */
public record InputSpec(String name, boolean required, String defaultValue, String description) {}
