package dev.agentry.runners.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Git's smart HTTP protocol on a loopback port, for tests: {@code git http-backend} behind a server that
 * demands HTTP basic authentication with one token (as GitHub and Gitea accept it), and records the
 * {@code Authorization} header of every request.
 */
final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final String expected;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** The protocol v2 command of every authorized POST: {@code ls-refs}, {@code fetch}, or the service for a push. */
    final List<String> commands = new CopyOnWriteArrayList<>();
    /** Runs before the backend answers a {@code fetch} command (once: it is cleared before it runs). */
    volatile Runnable beforeFetch;

    GitHttpServer(Path root, String token) throws IOException {
        this.root = root;
        this.expected = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of a bare repository directly under the root. */
    String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            if (!expected.equals(auth)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            var builder = new ProcessBuilder("git", "http-backend");
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", System.getenv("PATH"));
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", "/dev/null");
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REMOTE_USER", "x-access-token"); // lets http-backend accept pushes
            env.put("REQUEST_METHOD", exchange.getRequestMethod());
            env.put("PATH_INFO", exchange.getRequestURI().getPath());
            env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
            var headers = exchange.getRequestHeaders();
            if (headers.getFirst("Content-Type") != null) {
                env.put("CONTENT_TYPE", headers.getFirst("Content-Type"));
            }
            if (headers.getFirst("Content-Encoding") != null) {
                env.put("HTTP_CONTENT_ENCODING", headers.getFirst("Content-Encoding"));
            }
            if (headers.getFirst("Git-Protocol") != null) {
                env.put("GIT_PROTOCOL", headers.getFirst("Git-Protocol"));
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                String command = command(exchange.getRequestURI().getPath(), body, headers.getFirst("Content-Encoding"));
                commands.add(command);
                Runnable hook = beforeFetch;
                if (command.equals("fetch") && hook != null) {
                    beforeFetch = null;
                    hook.run();
                }
            }
            env.put("CONTENT_LENGTH", Integer.toString(body.length));
            Process process = builder.start();
            Thread writer = Thread.ofVirtual().start(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(body);
                } catch (IOException ignored) {
                    // the backend stopped reading
                }
            });
            Thread.ofVirtual().start(() -> drain(process.getErrorStream()));
            byte[] cgi = process.getInputStream().readAllBytes();
            writer.join();
            process.waitFor();
            respond(exchange, cgi);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String command(String path, byte[] body, String encoding) throws IOException {
        if (path.endsWith("git-receive-pack")) {
            return "receive-pack";
        }
        byte[] plain = "gzip".equals(encoding)
                ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes() : body;
        String text = new String(plain, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("command=");
        if (at < 0) {
            return "upload-pack (v0)";
        }
        int end = at + "command=".length();
        while (end < text.length() && (Character.isLowerCase(text.charAt(end)) || text.charAt(end) == '-')) {
            end++; // the next pkt-line's length follows at once when the line has no newline
        }
        return text.substring(at + "command=".length(), end);
    }

    /** A CGI response: header lines, a blank line, the body. */
    private static void respond(HttpExchange exchange, byte[] cgi) throws IOException {
        int status = 200;
        int i = 0;
        while (i < cgi.length) {
            int end = i;
            while (end < cgi.length && cgi[end] != '\n') {
                end++;
            }
            String line = new String(cgi, i, end - i, StandardCharsets.ISO_8859_1).replace("\r", "");
            i = end + 1;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        int length = Math.max(0, cgi.length - i);
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(cgi, i, length);
            }
        }
    }

    private static void drain(InputStream in) {
        try (in; var sink = new ByteArrayOutputStream()) {
            in.transferTo(sink);
        } catch (IOException ignored) {
            // nothing to keep
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
