package dev.agentry.postgres.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The key that wraps the vault's data keys: 32 random bytes (AES-256-GCM), written as base64 in a file or an
 * environment variable; {@code openssl rand -base64 32} makes one. It never reaches the database: only its id,
 * a fingerprint of the key, is stored beside each data key it wraps, so a node can tell which of its keys to use.
 *
 * <p>Base64 of raw bytes rather than a Tink keyset in JSON: one line that any tool can make and any secret
 * store can hold, and nothing in it to get wrong.
 */
public final class MasterKey {
    public static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String id;
    private final Aead aead;

    private MasterKey(byte[] key) {
        this.id = fingerprint(key);
        try {
            var parameters = AesGcmParameters.builder()
                    .setKeySizeBytes(BYTES)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
            var aesKey = AesGcmKey.builder()
                    .setParameters(parameters)
                    .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
                    .build();
            var handle = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(aesKey).withRandomId().makePrimary())
                    .build();
            this.aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an AES-256-GCM key of the master key: " + e.getMessage(), e);
        }
    }

    /**
     * A key from its base64 text (surrounding whitespace and a trailing newline allowed).
     *
     * @param source where the text came from, for the error message (the text itself is never repeated)
     */
    public static MasterKey fromBase64(String text, String source) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(source + " is empty; it must hold the base64 of " + BYTES
                    + " random bytes (make one with: openssl rand -base64 32)");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + " is not base64; it must hold the base64 of " + BYTES
                    + " random bytes (make one with: openssl rand -base64 32)");
        }
        try {
            if (key.length != BYTES) {
                throw new IllegalArgumentException(source + " holds " + key.length + " bytes; a master key is " + BYTES
                        + " random bytes in base64 (make one with: openssl rand -base64 32)");
            }
            return new MasterKey(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The key in {@code file} (base64 text). */
    public static MasterKey fromFile(Path file) {
        try {
            return fromBase64(Files.readString(file, StandardCharsets.US_ASCII), "the master key file " + file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no master key file at " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the master key file " + file + ": " + e.getMessage());
        }
    }

    /** The key in the environment variable {@code variable} (base64 text). */
    public static MasterKey fromEnvironment(String variable) {
        String text = System.getenv(variable);
        if (text == null) {
            throw new IllegalArgumentException("the environment variable " + variable + " is not set");
        }
        return fromBase64(text, "the environment variable " + variable);
    }

    /**
     * The key in {@code file}, made first when there is no such file (readable by its owner only): for the
     * embedded shape, which keeps it next to its data directory. Whoever backs up the data directory must keep
     * this file apart from it, or the backup carries its own key.
     */
    public static MasterKey openOrCreate(Path file) {
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) { // not a POSIX file system
                    Files.createFile(file);
                }
                Files.writeString(file, generate() + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException e) {
                // another process made it first: use theirs
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the master key file " + file, e);
            }
        }
        return fromFile(file);
    }

    /** A new key's base64 text: 32 bytes from a strong random source. */
    public static String generate() {
        byte[] key = new byte[BYTES];
        RANDOM.nextBytes(key);
        try {
            return Base64.getEncoder().encodeToString(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@code mk-} and 12 hex digits of a SHA-256 of the key: names the key, tells nothing of it. */
    private static String fingerprint(byte[] key) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            sha.update("agentry master key id\0".getBytes(StandardCharsets.US_ASCII));
            return "mk-" + HexFormat.of().formatHex(sha.digest(key), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String id() {
        return id;
    }

    Aead aead() {
        return aead;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterKey other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "MasterKey[" + id + "]";
    }
}
