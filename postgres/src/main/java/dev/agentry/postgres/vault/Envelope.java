package dev.agentry.postgres.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.agentry.core.secret.SecretUnreadable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Envelope encryption of one secret: its value is encrypted with a data key of its own (a Tink AES-256-GCM
 * keyset), and the data key is stored encrypted ("wrapped") by a master key. Both take the secret's row id as
 * associated data, so a ciphertext or a wrapped key copied onto another row does not decrypt there, and a rotation
 * only re-wraps the small data keys, never touching a value.
 */
public final class Envelope {
    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Envelope() {}

    /** A secret as stored. Prints no bytes. */
    public record Sealed(byte[] ciphertext, byte[] wrappedKey, String masterKeyId) {
        @Override
        public String toString() {
            return "Sealed[" + ciphertext.length + " bytes under " + masterKeyId + "]";
        }
    }

    /** Encrypts {@code plaintext} for the secret with row id {@code secretId}, under a new data key. */
    public static Sealed seal(MasterKey master, long secretId, byte[] plaintext) {
        try {
            KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            byte[] ciphertext = dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(plaintext, valueContext(secretId));
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master.aead(), keyContext(secretId));
            return new Sealed(ciphertext, wrapped, master.id());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not encrypt secret " + secretId + ": " + e.getMessage(), e);
        }
    }

    /**
     * The plaintext of a sealed secret.
     *
     * @throws SecretUnreadable when its master key is not held, or the bytes were altered or belong to another row
     */
    public static byte[] open(MasterKeys keys, long secretId, Sealed sealed) {
        KeysetHandle dataKey = unwrap(keys, secretId, sealed.wrappedKey(), sealed.masterKeyId());
        try {
            return dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(sealed.ciphertext(), valueContext(secretId));
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadable("secret " + secretId + " cannot be decrypted: its ciphertext was altered, or was "
                    + "copied from another secret (a ciphertext only decrypts on the row it was made for)");
        }
    }

    /** The data key of a secret wrapped anew under {@code to}; the value's ciphertext stays as it is. */
    public static byte[] rewrap(MasterKeys keys, long secretId, byte[] wrappedKey, String masterKeyId, MasterKey to) {
        KeysetHandle dataKey = unwrap(keys, secretId, wrappedKey, masterKeyId);
        try {
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, to.aead(), keyContext(secretId));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not re-wrap the data key of secret " + secretId + ": " + e.getMessage(), e);
        }
    }

    private static KeysetHandle unwrap(MasterKeys keys, long secretId, byte[] wrappedKey, String masterKeyId) {
        MasterKey master = keys.find(masterKeyId).orElseThrow(() -> new SecretUnreadable("secret " + secretId
                + " is wrapped under master key " + masterKeyId + ", which this node does not hold (it holds "
                + keys.describe() + "); load that key as the previous master key"));
        try {
            return TinkProtoKeysetFormat.parseEncryptedKeyset(wrappedKey, master.aead(), keyContext(secretId));
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadable("the data key of secret " + secretId + " does not unwrap under master key "
                    + masterKeyId + ": it was altered, or copied from another secret");
        }
    }

    private static byte[] valueContext(long secretId) {
        return ("agentry/secret/" + secretId + "/value").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] keyContext(long secretId) {
        return ("agentry/secret/" + secretId + "/data-key").getBytes(StandardCharsets.US_ASCII);
    }
}
