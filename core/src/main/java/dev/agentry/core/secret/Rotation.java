package dev.agentry.core.secret;

/**
 * Where a master key rotation stands.
 *
 * @param masterKeyId the master key every data key is being wrapped under (the current one)
 * @param rewrapped   data keys re-wrapped by this call
 * @param remaining   data keys still wrapped under another master key; 0 means that key can be dropped
 */
public record Rotation(String masterKeyId, long rewrapped, long remaining) {
    public boolean complete() {
        return remaining == 0;
    }
}
