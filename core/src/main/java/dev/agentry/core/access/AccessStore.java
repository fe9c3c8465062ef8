package dev.agentry.core.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Users, accounts, workspaces, memberships and API tokens. */
public interface AccessStore {
    /** The principal of a token (by its SHA-256) that is neither expired nor revoked at {@code now}. */
    Optional<Principal> authenticate(byte[] tokenHash, Instant now);

    /**
     * The user's role in the workspace: their membership, else what they are in its account (an account's
     * owners and admins are owners and admins of its workspaces); empty when they have no access.
     */
    Optional<Role> roleIn(String user, String workspace);

    boolean anyUser();

    record User(String name, boolean serverAdmin, Instant createdAt) {}

    /** Creates a user; false when the name is taken. */
    boolean createUser(String name, boolean serverAdmin);

    List<User> users();

    Optional<User> user(String name);

    record Account(String name, String kind, Instant createdAt) {}

    /** Creates an account owned by {@code owner}; false when the name is taken. */
    boolean createAccount(String name, String kind, String owner);

    /** The accounts the user belongs to (all of them for a server admin). */
    List<Account> accounts(String user, boolean all);

    Optional<Role> accountRole(String user, String account);

    record Workspace(String name, String account, Instant createdAt) {}

    /** Creates a workspace in an account; false when the name is taken. */
    boolean createWorkspace(String name, String account);

    /** The workspaces the user can see, with their role (all of them for a server admin). */
    List<Membership> workspaces(String user, boolean all);

    record Membership(String workspace, String user, Role role) {}

    List<Membership> members(String workspace);

    void setMember(String workspace, String user, Role role);

    boolean removeMember(String workspace, String user);

    void setAccountMember(String account, String user, Role role);

    record Token(long id, String name, String user, boolean readOnly, String workspace, Instant expiresAt, Instant createdAt,
                 Instant lastUsedAt, boolean revoked) {}

    /** Stores a token by its hash; the token itself is shown to its owner once and never stored. */
    Token createToken(String user, String name, byte[] tokenHash, boolean readOnly, String workspace, Instant expiresAt);

    List<Token> tokens(String user);

    boolean revokeToken(String user, long id, boolean anyUser);
}
