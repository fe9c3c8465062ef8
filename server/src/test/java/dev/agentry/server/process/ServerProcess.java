package dev.agentry.server.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code agentry serve} as a real operating-system process, started from this test's classpath, that
 * tests can kill with SIGKILL. Its output goes to a file under its home for post-mortems.
 */
final class ServerProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Path home;
    final Process process;
    final String url;

    private ServerProcess(Path home, Process process, String url) {
        this.home = home;
        this.process = process;
        this.url = url;
    }

    /** Starts a server and waits until it prints its URL. */
    static ServerProcess start(Path home, String nodeName, Map<String, String> env) {
        try {
            Files.createDirectories(home);
            String java = ProcessHandle.current().info().command().orElse("java");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            var command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", classpath, "dev.agentry.server.Main", "serve",
                    "--port", "0", "--home", home.toString(), "--node-name", nodeName, "--lease", "2s", "--poll-interval", "1s"));
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("AGENTRY_BOOTSTRAP_TOKEN", dev.agentry.server.TestServer.ADMIN_TOKEN);
            builder.environment().putAll(env);
            Process process = builder.start();
            Path log = home.resolve("server-" + nodeName + "-" + process.pid() + ".log");
            var ready = new CompletableFuture<String>();
            Thread.ofPlatform().daemon().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream()));
                     var out = Files.newBufferedWriter(log)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write(line);
                        out.newLine();
                        out.flush();
                        int at = line.indexOf("ready at ");
                        if (at >= 0) {
                            ready.complete(line.substring(at + 9).split(" ")[0]);
                        }
                    }
                } catch (IOException ignored) {
                    // the process died; the log has what it said
                }
                ready.completeExceptionally(new IllegalStateException("server exited before it was ready; see " + log));
            });
            String url = ready.get(90, TimeUnit.SECONDS);
            return new ServerProcess(home, process, url);
        } catch (Exception e) {
            throw new IllegalStateException("could not start a server in " + home + ": " + e.getMessage(), e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, leases are left behind. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL to the embedded PostgreSQL as well, as if the machine lost power. */
    void killEmbeddedPostgres() {
        postmaster().ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
    }

    private Optional<ProcessHandle> postmaster() {
        Path pid = home.resolve("postgres").resolve("postmaster.pid");
        try {
            if (!Files.exists(pid)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: graceful, stops the embedded database too
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killEmbeddedPostgres();
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + "/api/workspaces/default" + path)).GET(), 200);
    }

    JsonNode post(String path, String body, String contentType, int expected) {
        return send(HttpRequest.newBuilder(URI.create(url + "/api/workspaces/default" + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)), expected);
    }

    private static JsonNode send(HttpRequest.Builder request, int expected) {
        try {
            var response = HTTP.send(request.timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + dev.agentry.server.TestServer.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected && !(expected == 201 && response.statusCode() == 200)) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
