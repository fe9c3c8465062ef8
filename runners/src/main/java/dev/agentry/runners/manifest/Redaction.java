package dev.agentry.runners.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The secret values one call used (resolved credentials, the header values made from them, the spec's repository
 * credential and callback token), taken out of any text that leaves the adapter: an exception message, a log line,
 * a job's failure message. A scheduler that echoes the request in its error must not carry a secret further.
 */
final class Redaction {
    static final String MARK = "(redacted)";
    private final List<String> secrets = new ArrayList<>();

    Redaction add(String secret) {
        if (secret != null && !secret.isEmpty() && !secrets.contains(secret)) {
            secrets.add(secret);
            // Longest first, so a secret that contains another is taken out whole.
            secrets.sort(Comparator.comparingInt(String::length).reversed());
        }
        return this;
    }

    String apply(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MARK);
        }
        return out;
    }
}
