package dev.agentry.core.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an entry is hashed into the chain. Written out so that anyone can check an exported log without Agentry:
 *
 * <pre>
 * hash      = SHA-256(prev_hash || canonical)                  prev_hash of the first entry: 32 zero bytes
 * canonical = field(id) field(ts) field(workspace) field(action) field(actor) field(target)
 *             field(detail) field(run_id) field(step_id)
 * field(v)  = the length of UTF-8(v) as 4 bytes, big-endian, then UTF-8(v); a null is the length -1 and no bytes
 * </pre>
 *
 * {@code id} and {@code run_id} are written in decimal; {@code ts} as microseconds since 1970-01-01T00:00Z in
 * decimal; {@code detail} as canonical JSON (RFC 8785 for an object of strings): keys sorted by UTF-16 code
 * units, no whitespace, and only {@code \"}, {@code \\}, {@code \b}, {@code \f}, {@code \n}, {@code \r},
 * {@code \t}; other control characters as a backslash, {@code u00} and two lowercase hex digits. Length prefixes keep field
 * boundaries apart: ("ab", "c") and ("a", "bc") hash differently.
 */
public final class AuditChain {
    public static final int HASH_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    private AuditChain() {}

    /** What the first entry links to. */
    public static byte[] genesis() {
        return new byte[HASH_BYTES];
    }

    /** The hash of entry {@code id}, appended at {@code at}, that follows the entry whose hash is {@code prevHash}. */
    public static byte[] hash(byte[] prevHash, long id, Instant at, AuditEntry entry) {
        return hash(prevHash, id, at, entry.workspace(), entry.action(), entry.actor(), entry.target(), entry.detail(),
                entry.runId(), entry.stepId());
    }

    /**
     * The same from the stored columns as they are, without checking them as an {@link AuditEntry} would: a verifier
     * must be able to hash a row someone tampered with into something no entry could be.
     */
    public static byte[] hash(byte[] prevHash, long id, Instant at, String workspace, String action, String actor,
                              String target, Map<String, String> detail, Long runId, String stepId) {
        if (prevHash == null || prevHash.length != HASH_BYTES) {
            throw new IllegalArgumentException("a previous hash is " + HASH_BYTES + " bytes");
        }
        var canonical = new ByteArrayOutputStream(256);
        field(canonical, Long.toString(id));
        field(canonical, Long.toString(micros(at)));
        field(canonical, workspace);
        field(canonical, action);
        field(canonical, actor);
        field(canonical, target);
        field(canonical, canonicalJson(detail));
        field(canonical, runId == null ? null : Long.toString(runId));
        field(canonical, stepId);
        MessageDigest sha256 = sha256();
        sha256.update(prevHash);
        sha256.update(canonical.toByteArray());
        return sha256.digest();
    }

    /** Microseconds since the epoch: the precision the log stores times with. */
    public static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }

    public static String hex(byte[] bytes) {
        return bytes == null ? null : HEX.formatHex(bytes);
    }

    /** An object of strings as RFC 8785 writes it. */
    static String canonicalJson(Map<String, String> detail) {
        var sb = new StringBuilder("{");
        // String's natural order compares UTF-16 code units, which is the order RFC 8785 asks for.
        new TreeMap<>(detail).forEach((key, value) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            string(sb, key);
            sb.append(':');
            string(sb, value);
        });
        return sb.append('}').toString();
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX.toHexDigits((byte) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void field(ByteArrayOutputStream out, String value) {
        if (value == null) {
            out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        out.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.writeBytes(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
