package dev.agentry.server;

import dev.agentry.core.access.AccessStore;
import dev.agentry.core.access.ApiTokens;
import dev.agentry.core.access.Role;

/**
 * The first administrator: on a database with no user yet, the user {@code admin} (a server administrator, owner
 * of the account and workspace {@code default}) with one token, either the configured bootstrap token or a new
 * one that the server prints once. Several nodes starting at once make it once: the user's insert decides.
 */
final class FirstAdmin {
    static final String NAME = "admin";

    private FirstAdmin() {}

    /** @return a token made here that nobody has seen yet (to print once), or null */
    static String ensure(AccessStore store, String bootstrapToken) {
        if (store.anyUser() || !store.createUser(NAME, true)) {
            if (bootstrapToken != null) {
                adopt(store, bootstrapToken);
            }
            return null;
        }
        store.setAccountMember("default", NAME, Role.OWNER);
        store.setMember("default", NAME, Role.OWNER);
        String token = bootstrapToken != null ? bootstrapToken : ApiTokens.generate();
        store.createToken(NAME, "bootstrap", ApiTokens.hash(token), false, null, null);
        return bootstrapToken == null ? token : null;
    }

    /**
     * An installation made before the bootstrap token was configured: the token is given to the first
     * administrator, once (a token with that hash, even a revoked one, is left as it is).
     */
    private static void adopt(AccessStore store, String token) {
        try {
            store.createToken(NAME, "bootstrap", ApiTokens.hash(token), false, null, null);
        } catch (RuntimeException alreadyThere) {
            // the hash is unique: it was adopted before (and maybe revoked since, which must stick)
        }
    }
}
