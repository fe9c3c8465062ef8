package dev.agentry.core.trigger;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a delivery was signed with the trigger's secret: an HMAC-SHA256 over the raw bytes of the body,
 * exactly as they arrived (a body parsed and written again differs in spacing and key order, and fails).
 *
 * <ul>
 *   <li>GitHub: {@code X-Hub-Signature-256: sha256=<hex>} over the body.</li>
 *   <li>Generic: {@code X-Agentry-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]} over {@code "<t>.<body>"}.
 *       The timestamp must be within the window of this server's clock, either way, so a captured delivery cannot
 *       be replayed later; several {@code v1} values let a sender sign with an old and a new secret while they
 *       rotate it, and one that matches is enough.</li>
 * </ul>
 *
 * <p>Signatures are compared in constant time, and every {@code v1} value is compared, so the time taken tells
 * nothing about how close a guess was.
 */
public final class SignatureVerifier {
    public static final String GITHUB_HEADER = "X-Hub-Signature-256";
    public static final String GENERIC_HEADER = "X-Agentry-Signature";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    private static final int SHA256_BYTES = 32;
    private static final int MAX_SIGNATURES = 8;
    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;
    private final Duration window;

    public SignatureVerifier(Clock clock) {
        this(clock, DEFAULT_WINDOW);
    }

    public SignatureVerifier(Clock clock, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the replay window must be positive, got " + window);
        }
        this.clock = clock;
        this.window = window;
    }

    /** The result of a check: valid, or refused with why (never with the expected signature). */
    public record Verdict(boolean valid, String problem) {
        static final Verdict VALID = new Verdict(true, null);

        static Verdict refused(String problem) {
            return new Verdict(false, problem);
        }
    }

    /** Checks a delivery in the trigger's format; {@code headers} looks a header up by name (case-insensitive). */
    public Verdict verify(Trigger.Format format, String secret, byte[] body, UnaryOperator<String> headers) {
        return switch (format) {
            case GITHUB -> github(secret, body, headers.apply(GITHUB_HEADER));
            case GENERIC -> generic(secret, body, headers.apply(GENERIC_HEADER));
        };
    }

    public Verdict github(String secret, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return Verdict.refused("the delivery has no " + GITHUB_HEADER + " header; set a secret on the webhook");
        }
        String value = header.strip();
        if (!value.regionMatches(true, 0, "sha256=", 0, 7)) {
            return Verdict.refused(GITHUB_HEADER + " must be sha256=<hex>");
        }
        byte[] given = decode(value.substring(7));
        if (given == null) {
            return Verdict.refused(GITHUB_HEADER + " must be sha256= and 64 hexadecimal digits");
        }
        return MessageDigest.isEqual(hmac(secret, body), given) ? Verdict.VALID
                : Verdict.refused("the signature does not match the body; check that the webhook's secret is the trigger's");
    }

    public Verdict generic(String secret, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return Verdict.refused("the delivery has no " + GENERIC_HEADER + " header");
        }
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String item = part.strip();
            int eq = item.indexOf('=');
            if (eq <= 0) {
                return Verdict.refused(GENERIC_HEADER + " must be t=<unix seconds>,v1=<hex>; got a part without '='");
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            if (key.equals("t")) {
                if (timestamp != null) {
                    return Verdict.refused(GENERIC_HEADER + " names t twice");
                }
                timestamp = value;
            } else if (key.equals("v1")) {
                byte[] given = decode(value);
                if (given == null) {
                    return Verdict.refused(GENERIC_HEADER + ": each v1 must be 64 hexadecimal digits");
                }
                if (signatures.size() == MAX_SIGNATURES) {
                    return Verdict.refused(GENERIC_HEADER + " carries more than " + MAX_SIGNATURES + " v1 signatures");
                }
                signatures.add(given);
            } // other schemes (a future v2) are left for senders that also send v1
        }
        if (timestamp == null || !timestamp.matches("[0-9]{1,12}")) {
            return Verdict.refused(GENERIC_HEADER + " needs t=<unix seconds>");
        }
        if (signatures.isEmpty()) {
            return Verdict.refused(GENERIC_HEADER + " needs at least one v1=<hex>");
        }
        long sentAt = Long.parseLong(timestamp);
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - sentAt) > window.toSeconds()) {
            return Verdict.refused("the signature's timestamp is " + Math.abs(now - sentAt) + " s " + (sentAt < now ? "old" : "ahead")
                    + "; deliveries are accepted within " + window.toSeconds() + " s of this server's clock");
        }
        byte[] expected = hmac(secret, signedContent(timestamp, body));
        boolean match = false;
        for (byte[] given : signatures) {
            match |= MessageDigest.isEqual(expected, given); // no short cut: every candidate costs the same
        }
        return match ? Verdict.VALID
                : Verdict.refused("no v1 signature matches the body; sign \"<t>.<raw body>\" with the trigger's secret");
    }

    /** The value of {@code X-Hub-Signature-256} for a body: what GitHub sends. */
    public static String githubSignature(String secret, byte[] body) {
        return "sha256=" + HEX.formatHex(hmac(secret, body));
    }

    /** The value of {@code X-Agentry-Signature} for a body sent at {@code unixSeconds}: what a generic sender sends. */
    public static String genericSignature(String secret, long unixSeconds, byte[] body) {
        String t = Long.toString(unixSeconds);
        return "t=" + t + ",v1=" + HEX.formatHex(hmac(secret, signedContent(t, body)));
    }

    private static byte[] signedContent(String timestamp, byte[] body) {
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    private static byte[] hmac(String secret, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(content);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e); // every JDK has it; an empty key is refused earlier
        }
    }

    /** A SHA-256-sized value from hex; null when it is not one. */
    private static byte[] decode(String hex) {
        if (hex.length() != SHA256_BYTES * 2) {
            return null;
        }
        try {
            return HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
