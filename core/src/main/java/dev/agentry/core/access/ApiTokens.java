package dev.agentry.core.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** API tokens: 256 random bits, recognisable by their prefix, stored as their SHA-256 only. */
public final class ApiTokens {
    public static final String PREFIX = "agy_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokens() {}

    public static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether a presented string could be a token at all (checked before any lookup). Tokens Agentry makes start
     * with {@link #PREFIX}; one supplied as {@code AGENTRY_BOOTSTRAP_TOKEN} only needs to be long enough.
     */
    public static boolean plausible(String token) {
        return token != null && token.length() >= 16 && token.length() <= 512;
    }
}
