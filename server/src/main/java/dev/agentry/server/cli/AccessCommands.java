package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Who you are, your tokens, and the workspaces, members, accounts and users you manage. */
public final class AccessCommands {
    private AccessCommands() {}

    @Command(name = "whoami", description = "The user and token the CLI is signed in as, and the workspaces it reaches.")
    public static final class WhoAmI extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode me = api.getGlobal("/me");
            if (options.json) {
                Output.json(out(), me);
                return 0;
            }
            out().println(me.path("user").asText() + (me.path("serverAdmin").asBoolean() ? " (server administrator)" : "")
                    + ", token " + me.path("token").path("name").asText() + (me.path("token").path("readOnly").asBoolean() ? " (read-only)" : ""));
            me.path("workspaces").forEach(w -> out().println("  " + w.path("name").asText() + "  " + w.path("role").asText()));
            return 0;
        }
    }

    @Command(name = "tokens", description = "Your API tokens.", subcommands = {Tokens.Create.class, Tokens.ListTokens.class, Tokens.Revoke.class})
    public static final class Tokens {
        @Command(name = "create", description = "Make a token; it is printed once and never shown again.")
        static final class Create extends ClientCommand {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--expires-in", paramLabel = "DURATION", description = "e.g. 30d; default: never.") String expiresIn;
            @Option(names = "--read-only", description = "The token can only read.") boolean readOnly;
            @Option(names = "--only-workspace", paramLabel = "NAME", description = "Limit the token to one workspace.") String only;

            @Override
            int execute(ApiClient api) {
                var body = new LinkedHashMap<String, Object>();
                body.put("name", name);
                if (expiresIn != null) {
                    body.put("expiresIn", expiresIn);
                }
                body.put("readOnly", readOnly);
                if (only != null) {
                    body.put("workspace", only);
                }
                JsonNode t = api.postGlobal("/tokens", body);
                if (options.json) {
                    Output.json(out(), t);
                } else {
                    out().println(t.path("token").asText());
                    spec.commandLine().getErr().println("token " + t.path("id").asText() + " (" + name + "): shown once, store it now");
                }
                return 0;
            }
        }

        @Command(name = "list", description = "List your tokens (never their values).")
        static final class ListTokens extends ClientCommand {
            @Override
            int execute(ApiClient api) {
                JsonNode list = api.getGlobal("/tokens");
                if (options.json) {
                    Output.json(out(), list);
                    return 0;
                }
                var rows = new ArrayList<List<String>>();
                list.path("items").forEach(t -> rows.add(List.of(t.path("id").asText(), t.path("name").asText(),
                        t.path("readOnly").asBoolean() ? "read" : "write", t.path("workspace").asText("all"),
                        Output.time(t, "expiresAt"), t.path("revoked").asBoolean() ? "revoked" : "active")));
                Output.table(out(), List.of("ID", "NAME", "SCOPE", "WORKSPACE", "EXPIRES", "STATUS"), rows);
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revoke a token at once.")
        static final class Revoke extends ClientCommand {
            @Parameters(paramLabel = "ID") long id;

            @Override
            int execute(ApiClient api) {
                api.deleteGlobal("/tokens/" + id);
                out().println("token " + id + " revoked");
                return 0;
            }
        }
    }

    @Command(name = "workspaces", description = "Workspaces you reach; make new ones in an account.",
            subcommands = {Workspaces.ListWorkspaces.class, Workspaces.Create.class})
    public static final class Workspaces {
        @Command(name = "list", description = "The workspaces you reach, with your role in each.")
        static final class ListWorkspaces extends ClientCommand {
            @Override
            int execute(ApiClient api) {
                JsonNode list = api.getGlobal("/workspaces");
                if (options.json) {
                    Output.json(out(), list);
                    return 0;
                }
                var rows = new ArrayList<List<String>>();
                list.path("items").forEach(w -> rows.add(List.of(w.path("name").asText(), w.path("role").asText())));
                Output.table(out(), List.of("WORKSPACE", "ROLE"), rows);
                return 0;
            }
        }

        @Command(name = "create", description = "Make a workspace in an account (you need the role admin in the account).")
        static final class Create extends ClientCommand {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--account", paramLabel = "ACCOUNT", defaultValue = "default", description = "Default: ${DEFAULT-VALUE}.") String account;

            @Override
            int execute(ApiClient api) {
                api.postGlobal("/accounts/" + ApiClient.segment(account) + "/workspaces", Map.of("name", name));
                out().println("workspace " + name + " created in account " + account);
                return 0;
            }
        }
    }

    @Command(name = "members", description = "The members of the workspace and their roles.",
            subcommands = {Members.ListMembers.class, Members.Set.class, Members.Remove.class})
    public static final class Members {
        @Command(name = "list", description = "List the workspace's members.")
        static final class ListMembers extends ClientCommand {
            @Override
            int execute(ApiClient api) {
                JsonNode list = api.get("/members", Map.of());
                if (options.json) {
                    Output.json(out(), list);
                    return 0;
                }
                var rows = new ArrayList<List<String>>();
                list.path("items").forEach(m -> rows.add(List.of(m.path("user").asText(), m.path("role").asText())));
                Output.table(out(), List.of("USER", "ROLE"), rows);
                return 0;
            }
        }

        @Command(name = "set", description = "Add a member or change their role: viewer, member, admin or owner.")
        static final class Set extends ClientCommand {
            @Parameters(index = "0", paramLabel = "USER") String user;
            @Parameters(index = "1", paramLabel = "ROLE") String role;

            @Override
            int execute(ApiClient api) {
                api.put("/members/" + ApiClient.segment(user), Map.of("role", role), false);
                out().println(user + " is " + role);
                return 0;
            }
        }

        @Command(name = "rm", description = "Remove a member.")
        static final class Remove extends ClientCommand {
            @Parameters(paramLabel = "USER") String user;

            @Override
            int execute(ApiClient api) {
                api.delete("/members/" + ApiClient.segment(user));
                out().println(user + " removed");
                return 0;
            }
        }
    }

    @Command(name = "users", description = "Users of this server (server administrators only).",
            subcommands = {Users.Add.class, Users.ListUsers.class})
    public static final class Users {
        @Command(name = "add", description = "Make a user; their first API token is printed once.")
        static final class Add extends ClientCommand {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--server-admin", description = "Make them a server administrator.") boolean admin;

            @Override
            int execute(ApiClient api) {
                JsonNode u = api.postGlobal("/users", Map.of("name", name, "serverAdmin", admin));
                out().println(u.path("token").path("token").asText());
                spec.commandLine().getErr().println("user " + name + " created; their first token is above, shown once");
                return 0;
            }
        }

        @Command(name = "list", description = "List users.")
        static final class ListUsers extends ClientCommand {
            @Override
            int execute(ApiClient api) {
                JsonNode list = api.getGlobal("/users");
                if (options.json) {
                    Output.json(out(), list);
                    return 0;
                }
                var rows = new ArrayList<List<String>>();
                list.path("items").forEach(u -> rows.add(List.of(u.path("name").asText(), u.path("serverAdmin").asBoolean() ? "yes" : "")));
                Output.table(out(), List.of("USER", "SERVER ADMIN"), rows);
                return 0;
            }
        }
    }
}
