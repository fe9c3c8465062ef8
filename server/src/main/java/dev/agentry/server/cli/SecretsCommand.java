package dev.agentry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "secrets", description = "The workspace's secrets: stored encrypted, used by name ({{ secrets.NAME }}), never printed.",
        subcommands = {SecretsCommand.SetSecret.class, SecretsCommand.ListSecrets.class, SecretsCommand.Remove.class})
public final class SecretsCommand {
    /** Where {@code secrets set} reads a value: the terminal, without echo, or whatever is piped in. */
    interface Terminal {
        /** Whether a person types at standard input (then the value is read without echo). */
        boolean interactive();

        /** A line read without echo after {@code prompt}; null at end of input. */
        char[] readPassword(String prompt);

        InputStream stdin();

        static Terminal system() {
            Console console = System.console();
            boolean interactive = console != null && isTerminal(console);
            return new Terminal() {
                @Override
                public boolean interactive() {
                    return interactive;
                }

                @Override
                public char[] readPassword(String prompt) {
                    return console.readPassword("%s", prompt);
                }

                @Override
                public InputStream stdin() {
                    return System.in;
                }
            };
        }

        /**
         * Up to JDK 21 there is a console only when both standard streams are terminals. From JDK 22 there may be
         * one when they are not, and {@code Console.isTerminal()} tells; the build targets 21, so it is looked up.
         */
        private static boolean isTerminal(Console console) {
            try {
                Method isTerminal = Console.class.getMethod("isTerminal");
                return (Boolean) isTerminal.invoke(console);
            } catch (NoSuchMethodException e) {
                return true;
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }

    @Command(name = "set", description = {"Store a secret's value, read from standard input (typed without echo on a terminal; "
            + "when piped, all of it less one trailing newline). Setting it again replaces it.",
            "Example: agentry secrets set GITHUB_TOKEN --integration github < token.txt"})
    static final class SetSecret extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "A letter or _, then letters, digits, _ or -.") String name;
        @Option(names = "--integration", paramLabel = "INTEGRATION",
                description = "Lease the secret only to this integration (default: to any step of the workspace).") String integration;

        private final Terminal terminal;

        SetSecret() {
            this(Terminal.system());
        }

        SetSecret(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        int execute(ApiClient api) throws IOException {
            char[] value = read();
            try {
                if (value.length == 0) {
                    throw new ApiClient.Failure("no value given for " + name + "; type it, or pipe it to standard input", 2);
                }
                var body = new LinkedHashMap<String, Object>();
                body.put("value", value); // Jackson writes a char[] as a JSON string
                if (integration != null) {
                    body.put("integration", integration);
                }
                JsonNode info = api.put("/secrets/" + ApiClient.segment(name), body, false);
                if (options.json) {
                    Output.json(out(), info);
                    return 0;
                }
                out().println("secret " + info.path("name").asText() + " set (version " + info.path("version").asInt()
                        + (info.hasNonNull("integration") ? ", for " + info.path("integration").asText() + " only" : "") + ")");
                return 0;
            } finally {
                Arrays.fill(value, '\0');
            }
        }

        private char[] read() throws IOException {
            if (terminal.interactive()) {
                char[] typed = terminal.readPassword("Value for " + name + ": ");
                return typed == null ? new char[0] : typed;
            }
            byte[] bytes = terminal.stdin().readAllBytes();
            try {
                int end = bytes.length;
                if (end > 0 && bytes[end - 1] == '\n') { // what echo and a here-document add
                    end--;
                    if (end > 0 && bytes[end - 1] == '\r') {
                        end--;
                    }
                }
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, end));
                char[] value = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
                Arrays.fill(chars.array(), '\0');
                return value;
            } catch (CharacterCodingException e) {
                throw new ApiClient.Failure("standard input is not UTF-8 text; a secret's value must be", 2);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    @Command(name = "list", description = "List the workspace's secrets: names, integrations and versions, never values.")
    static final class ListSecrets extends ClientCommand {
        @Override
        int execute(ApiClient api) {
            JsonNode list = api.get("/secrets", Map.of());
            if (options.json) {
                Output.json(out(), list);
                return 0;
            }
            if (list.path("secrets").isEmpty()) {
                out().println("no secrets yet; store one with: agentry secrets set NAME < file");
                return 0;
            }
            var rows = new ArrayList<List<String>>();
            list.path("secrets").forEach(s -> rows.add(List.of(s.path("name").asText(), Output.text(s, "integration"),
                    s.path("version").asText(), Output.time(s, "updatedAt"))));
            Output.table(out(), List.of("NAME", "INTEGRATION", "VERSION", "UPDATED"), rows);
            return 0;
        }
    }

    @Command(name = "rm", description = "Delete a secret; leases on it are refused from then on.")
    static final class Remove extends ClientCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int execute(ApiClient api) {
            api.delete("/secrets/" + ApiClient.segment(name));
            out().println("secret " + name + " removed");
            return 0;
        }
    }
}
