package dev.agentry.core.secret;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A secret's value as it is encrypted: checked, and turned into UTF-8 without passing through a String. */
public final class SecretValue {
    /** Secrets are tokens, keys and passwords; a certificate chain fits too. */
    public static final int MAX_BYTES = 64 * 1024;

    private SecretValue() {}

    /**
     * The value's UTF-8 bytes; the caller overwrites them once encrypted.
     *
     * @throws InvalidSecret (field {@code value}) when it is empty, too long, holds a NUL character (it could not
     *                       reach a process's environment) or is not well-formed text
     */
    public static byte[] encode(char[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidSecret("value", "the value is empty");
        }
        for (char c : value) {
            if (c == '\0') {
                throw new InvalidSecret("value", "the value holds a NUL character, which no environment variable can carry");
            }
        }
        ByteBuffer buffer;
        try {
            buffer = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new InvalidSecret("value", "the value is not well-formed text (a lone surrogate character)");
        }
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.limit());
        Arrays.fill(buffer.array(), (byte) 0);
        if (bytes.length > MAX_BYTES) {
            int length = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new InvalidSecret("value", "the value is " + length + " bytes; at most " + MAX_BYTES + " are stored");
        }
        return bytes;
    }
}
