package dev.agentry.core.audit;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One thing Agentry is about to do (or did) to the world outside it, as the audit log records it.
 *
 * @param action    what kind of write, one kebab word: {@code git-push}, {@code pr-open}, {@code pr-merge},
 *                  {@code webhook-out}, {@code secret-lease}, {@code policy-change}, {@code membership-change},
 *                  {@code token-create}, …
 * @param workspace the workspace the write belongs to
 * @param actor     who asked for it: a user, a token's name, or {@code run:<id>/<step>} for a step (see {@link #stepActor})
 * @param target    what it acts on, for people: {@code repo shop branch agentry/12-x}, {@code pr shop#3}
 * @param detail    a few more facts as strings; never a secret's value (name the secret, not what it holds)
 * @param runId     the run the write is part of, or null
 * @param stepId    the step of {@code runId} that does it, or null
 */
public record AuditEntry(String action, String workspace, String actor, String target, Map<String, String> detail,
                         Long runId, String stepId) {
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    static final int MAX_ACTION = 64;
    static final int MAX_TEXT = 1000;
    static final int MAX_DETAIL_ENTRIES = 64;
    static final int MAX_DETAIL_VALUE = 4000;

    public AuditEntry {
        Objects.requireNonNull(action, "action");
        if (action.length() > MAX_ACTION || !ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("audit action must be a kebab word of at most " + MAX_ACTION
                    + " characters (like git-push), got '" + action + "'");
        }
        text("workspace", workspace);
        text("actor", actor);
        text("target", target);
        if (runId != null && runId <= 0) {
            throw new IllegalArgumentException("audit runId must be positive, got " + runId);
        }
        if (stepId != null) {
            text("stepId", stepId);
            if (runId == null) {
                throw new IllegalArgumentException("audit stepId '" + stepId + "' needs the runId it belongs to");
            }
        }
        detail = detail(detail);
    }

    /** An entry for a write asked for by a person or a token, outside any run. */
    public static AuditEntry of(String action, String workspace, String actor, String target, Map<String, String> detail) {
        return new AuditEntry(action, workspace, actor, target, detail, null, null);
    }

    /** An entry for a write a run's step does; its actor is {@link #stepActor}. */
    public static AuditEntry byStep(String action, String workspace, long runId, String stepId, String target,
                                    Map<String, String> detail) {
        return new AuditEntry(action, workspace, stepActor(runId, stepId), target, detail, runId, stepId);
    }

    /** How a step is named as an actor: {@code run:12/push}. */
    public static String stepActor(long runId, String stepId) {
        return "run:" + runId + "/" + stepId;
    }

    /** The same write under another action with other details: how an intent's outcome is recorded. */
    public AuditEntry as(String otherAction, Map<String, String> otherDetail) {
        return new AuditEntry(otherAction, workspace, actor, target, otherDetail, runId, stepId);
    }

    private static void text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("audit " + field + " must not be empty");
        }
        if (value.length() > MAX_TEXT) {
            throw new IllegalArgumentException("audit " + field + " is longer than " + MAX_TEXT + " characters");
        }
        wellFormed(field, value);
    }

    /** Sorted, so an entry reads the same however its map was built; copied, so nobody changes it later. */
    private static Map<String, String> detail(Map<String, String> detail) {
        if (detail == null || detail.isEmpty()) {
            return Map.of();
        }
        if (detail.size() > MAX_DETAIL_ENTRIES) {
            throw new IllegalArgumentException("audit detail has " + detail.size() + " entries; at most " + MAX_DETAIL_ENTRIES);
        }
        var sorted = new TreeMap<String, String>();
        detail.forEach((key, value) -> {
            if (key == null || key.isBlank() || key.length() > 100) {
                throw new IllegalArgumentException("audit detail keys must be 1 to 100 characters, got '" + key + "'");
            }
            if (value == null) {
                throw new IllegalArgumentException("audit detail '" + key + "' has no value");
            }
            if (value.length() > MAX_DETAIL_VALUE) {
                throw new IllegalArgumentException("audit detail '" + key + "' is longer than " + MAX_DETAIL_VALUE + " characters");
            }
            wellFormed("detail key", key);
            wellFormed("detail '" + key + "'", value);
            sorted.put(key, value);
        });
        return Collections.unmodifiableMap(sorted);
    }

    // The log is stored as text and JSON in PostgreSQL, neither of which can hold U+0000, and hashed as UTF-8,
    // which cannot encode half a surrogate pair (it would become '?', and two different entries the same bytes).
    // Refuse both here, where the caller learns of it, rather than have the append fail and the write be refused
    // for a reason it cannot see.
    private static void wellFormed(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException("audit " + field + " must not contain the NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("audit " + field + " is not well-formed text (a lone surrogate at " + i + ")");
            }
        }
    }
}
