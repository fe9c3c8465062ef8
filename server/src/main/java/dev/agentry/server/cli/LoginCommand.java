package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;

/**
 * {@code agentry login}: checks a token against the server and saves it for later commands (mode 0600).
 * The token is read from stdin, without echo on a terminal, so it never lands in the shell's history.
 */
@Command(name = "login", description = {"Save an API token for later commands (checked against the server first).",
        "Reads the token from stdin (without echo on a terminal); AGENTRY_TOKEN still wins over the saved one."})
public final class LoginCommand extends ClientCommand {
    /** Where the token is saved is read from this environment (tests give their own). */
    static java.util.Map<String, String> environment = System.getenv();

    @Override
    int execute(ApiClient ignored) throws Exception {
        String token;
        var console = System.console();
        if (terminal(console)) {
            char[] typed = console.readPassword("API token: ");
            token = typed == null ? "" : new String(typed).strip();
        } else {
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            token = line == null ? "" : line.strip();
        }
        if (token.isEmpty()) {
            spec.commandLine().getErr().println("agentry login: no token given on stdin");
            return 2;
        }
        options.token = token;
        JsonNode me = options.client().getGlobal("/me");
        var file = Credentials.save(environment, token);
        out().println("logged in as " + me.path("user").asText() + " (token " + me.path("token").path("name").asText()
                + "); saved to " + file);
        return 0;
    }

    /**
     * Whether stdin is a terminal to read without echo. From Java 22 {@code System.console()} is there even when
     * stdin is redirected, and {@code Console.isTerminal()} tells; on 21 a console means a terminal.
     */
    private static boolean terminal(java.io.Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
