package dev.agentry.core.access;

import java.time.Instant;

/**
 * Who is calling: a user, through one of their API tokens.
 *
 * @param serverAdmin may do anything anywhere (the first administrator, and those they make)
 * @param readOnly    the token's scope allows reading only
 * @param workspace   the one workspace the token is limited to; null for all of the user's workspaces
 */
public record Principal(String user, boolean serverAdmin, long tokenId, String tokenName, boolean readOnly, String workspace,
                        Instant expiresAt) {
    /** How the principal is named in audit records and decisions. */
    public String actor() {
        return "user:" + user;
    }
}
