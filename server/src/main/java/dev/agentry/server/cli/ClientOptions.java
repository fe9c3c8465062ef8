package dev.agentry.server.cli;

import picocli.CommandLine.Option;

/** Where the CLI finds the server, and how it prints. Shared by every client command. */
public final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL", description = "Server URL (default: $AGENTRY_URL or http://127.0.0.1:7070).")
    String url;

    @Option(names = {"-w", "--workspace"}, paramLabel = "NAME", description = "Workspace (default: $AGENTRY_WORKSPACE or default).")
    String workspace;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--token", paramLabel = "TOKEN", hidden = true,
            description = "API token (default: $AGENTRY_TOKEN, else the one `agentry login` saved). A flag shows in ps.")
    String token;

    ApiClient client() {
        String u = url != null ? url : System.getenv().getOrDefault("AGENTRY_URL", "http://127.0.0.1:7070");
        String ws = workspace != null ? workspace : System.getenv().getOrDefault("AGENTRY_WORKSPACE", "default");
        return new ApiClient(u, ws, token != null ? token : Credentials.token(System.getenv()));
    }
}
