package dev.agentry.core.secret;

import java.time.Instant;

/**
 * What may be known about a stored secret by anyone who may see the workspace: never its value.
 *
 * @param integration the integration the secret is for ({@code github}, a pool's name), or null for any
 * @param version     1 when first stored, one more each time the value is replaced
 */
public record SecretInfo(String workspace, String name, String integration, int version, Instant createdAt, Instant updatedAt) {}
