package dev.agentry.core.secret;

/**
 * A stored secret that cannot be decrypted: its master key is not loaded on this node, or its ciphertext or data
 * key was altered or moved from another row. Says which secret and why, never anything of its content.
 */
public final class SecretUnreadable extends RuntimeException {
    public SecretUnreadable(String message) {
        super(message);
    }

    public SecretUnreadable(String message, Throwable cause) {
        super(message, cause);
    }
}
