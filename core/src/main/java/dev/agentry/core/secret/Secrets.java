package dev.agentry.core.secret;

import dev.agentry.core.repo.SecretVault;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The secrets vault: values stored encrypted per workspace, referenced by name ({@code {{ secrets.NAME }}}), and
 * handed to jobs through single-use leases. Nothing here ever returns a value to anyone but the server itself
 * ({@link #reveal}) or the holder of a lease ({@link #exchange}).
 *
 * <p>It extends {@link SecretVault} rather than replacing it: the places that resolve a repository credential or a
 * manifest's {@code secretRef} by name keep taking a {@code SecretVault}, and the vault drops in where the
 * environment's secrets were. {@code reveal} means the same in both.
 */
public interface Secrets extends SecretVault {
    /**
     * A secret's name: a letter or underscore, then letters, digits, {@code _} or {@code -}. No dot, so that
     * {@code {{ secrets.NAME }}} reads as one name.
     */
    Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,99}");

    /**
     * Stores {@code value} under {@code name}, replacing the value (and integration) already there: the version
     * goes up by one. The caller may overwrite {@code value} afterwards; the vault keeps no reference to it.
     *
     * @param integration the integration the secret is for, or null for any
     * @throws InvalidSecret                            for a bad name, integration or value
     * @throws dev.agentry.core.engine.NotFound when the workspace does not exist
     */
    SecretInfo put(String workspace, String integration, String name, char[] value);

    /** {@link #put(String, String, String, char[])} for a value that is a String already. */
    default SecretInfo put(String workspace, String integration, String name, String value) {
        return put(workspace, integration, name, value.toCharArray());
    }

    /** The workspace's secrets by name: what they are, never what they hold. */
    List<SecretInfo> list(String workspace);

    Optional<SecretInfo> find(String workspace, String name);

    /** Forgets a secret and every lease on it; false when there was none. */
    boolean delete(String workspace, String name);

    /**
     * The value, for the server's own use (a repository credential, a manifest's header). Never answer it over
     * the API: jobs get a {@link #lease} instead.
     *
     * @throws SecretUnreadable when the stored secret cannot be decrypted here
     */
    @Override
    Optional<String> reveal(String workspace, String name);

    /**
     * A lease on one secret for one step attempt.
     *
     * @throws dev.agentry.core.engine.NotFound when the workspace has no such secret
     * @throws InvalidSecret                            when the secret is stored for another integration
     */
    Lease lease(LeaseRequest request);

    /**
     * The value of the lease with this token, the first time it is asked for before the lease expires; a
     * refusal saying why otherwise. Two exchanges of one token at the same moment: one gets the value.
     */
    Exchange exchange(String token, Instant now);

    /**
     * Re-wraps every data key that is not under the current master key, {@code batchSize} at a time, each batch
     * its own short transaction: secrets stay readable throughout. Run it after making a new master key current
     * (with the old one still loaded); when it reports nothing remaining, the old key can be dropped.
     */
    Rotation rotateMasterKey(int batchSize);

    /** Every value of the workspace, as a redactor for what its jobs print. */
    default Redactor redactor(String workspace) {
        var values = new ArrayList<String>();
        for (SecretInfo info : list(workspace)) {
            reveal(workspace, info.name()).ifPresent(values::add);
        }
        return Redactor.of(values);
    }

    /** Checks a name as {@link #put} and {@link #lease} do. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidSecret("name", "'" + (name == null ? "" : name.length() > 40 ? name.substring(0, 37) + "..." : name)
                    + "' is not a valid secret name; expected a letter or '_', then letters, digits, '_' or '-' (at most 100)");
        }
        return name;
    }

    /** Checks an integration's name (null for any): the same shape as a secret's name. */
    static String checkIntegration(String integration) {
        if (integration != null && !NAME.matcher(integration).matches()) {
            throw new InvalidSecret("integration", "'" + (integration.length() > 40 ? integration.substring(0, 37) + "..." : integration)
                    + "' is not a valid integration name; expected a letter or '_', then letters, digits, '_' or '-'");
        }
        return integration;
    }
}
