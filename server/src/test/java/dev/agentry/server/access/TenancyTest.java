package dev.agentry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenancy: every route the server has, called with a token of workspace A on workspace B's objects, is refused;
 * so are streams and sockets. The routes come from the server's own router, so a route added later is covered
 * without anyone remembering to list it here.
 */
class TenancyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Routes that authenticate by other means (a run-scoped token, a signature, a lease) or need no one. */
    private static final Set<String> OPEN = Set.of("/healthz", "/api/leases/exchange");
    static TestServer server;
    static String alice;
    static String bob;
    static String carol;
    static long bobRun;
    static long bobDecision;
    static long bobToken;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
        alice = created(server.post("/api/users", "{\"name\": \"alice\"}")).at("/token/token").asText();
        bob = created(server.post("/api/users", "{\"name\": \"bob\"}")).at("/token/token").asText();
        carol = created(server.post("/api/users", "{\"name\": \"carol\"}")).at("/token/token").asText();
        bobToken = created(server.post("/api/users", "{\"name\": \"bob-helper\"}")).at("/token/id").asLong();
        created(server.post("/api/accounts", "{\"name\": \"bobco\", \"owner\": \"bob\"}"));
        created(server.post("/api/accounts/default/workspaces", "{\"name\": \"team-a\"}"));
        created(as(bob, "POST", "/api/accounts/bobco/workspaces", "{\"name\": \"team-b\"}"));
        assertThat(server.send(put("/api/workspaces/team-a/members/alice", "{\"role\": \"owner\"}")).statusCode()).isEqualTo(200);
        assertThat(server.send(put("/api/workspaces/team-a/members/carol", "{\"role\": \"viewer\"}")).statusCode()).isEqualTo(200);

        created(as(bob, "POST", "/api/workspaces/team-b/pipelines", """
                name: secret-plan
                steps:
                  - id: hold
                    kind: approval
                    prompt: Ship bobco's secret plan?
                """));
        bobRun = created(as(bob, "POST", "/api/workspaces/team-b/runs", "{\"pipeline\": \"secret-plan\"}")).path("id").asLong();
        await().until(() -> JSON.readTree(as(bob, "GET", "/api/workspaces/team-b/runs/" + bobRun, null).body())
                .path("status").asText().equals("needs-you"));
        bobDecision = JSON.readTree(as(bob, "GET", "/api/workspaces/team-b/decisions", null).body()).at("/items/0/id").asLong();
        assertThat(as(bob, "PUT", "/api/workspaces/team-b/fragments/house-style", "{\"text\": \"bobco only\"}").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void a_token_of_workspace_a_gets_403_or_404_on_every_route_of_workspace_b_and_its_account() throws Exception {
        var checked = new ArrayList<String>();
        for (String route : server.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            if (!path.contains("{workspace}") && !path.contains("{account}")) {
                continue;
            }
            String concrete = fill(path, "team-b", "bobco");
            if (method.equals("WS")) {
                assertThat(socketRefused(alice, concrete)).as("WS %s", concrete).isTrue();
            } else {
                var r = as(alice, method, concrete, method.equals("GET") || method.equals("DELETE") ? null : "{}");
                assertThat(r.statusCode()).as("%s %s answered %s", method, concrete, r.body()).isIn(403, 404);
                assertThat(r.body()).as("%s %s", method, concrete).doesNotContain("secret plan").doesNotContain("bobco only");
            }
            checked.add(route);
        }
        assertThat(checked).as("workspace routes checked").hasSizeGreaterThan(40);
    }

    @Test
    void workspace_a_paths_with_workspace_b_ids_find_nothing() throws Exception {
        for (String route : server.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            if (!method.equals("GET") || !path.startsWith("/api/workspaces/{workspace}/") || !path.matches(".*\\{(id|call)}.*")) {
                continue;
            }
            var r = as(alice, "GET", fill(path, "team-a", "default"), null);
            assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(404);
        }
    }

    @Test
    void lists_and_deployment_wide_routes_show_a_user_only_what_is_theirs() throws Exception {
        assertThat(as(alice, "GET", "/api/workspaces", null).body()).contains("team-a").doesNotContain("team-b");
        assertThat(as(alice, "GET", "/api/accounts", null).body()).doesNotContain("bobco");
        assertThat(as(alice, "GET", "/api/me", null).body()).contains("\"user\":\"alice\"").doesNotContain("team-b");
        for (String fleet : List.of("/api/events/export", "/api/streams", "/api/users")) {
            assertThat(as(alice, "GET", fleet, null).statusCode()).as(fleet).isEqualTo(403);
        }
        assertThat(socketRefused(alice, "/api/ws")).as("the fleet socket").isTrue();
        assertThat(as(alice, "DELETE", "/api/tokens/" + bobToken, null).statusCode()).as("another user's token").isEqualTo(404);
        assertThat(as(alice, "POST", "/api/tokens", "{\"name\": \"sneaky\", \"workspace\": \"team-b\"}").statusCode()).isEqualTo(404);
        assertThat(as(alice, "POST", "/api/pools", "{}").statusCode()).isEqualTo(403);
    }

    @Test
    void every_route_but_health_needs_a_token_and_a_bad_one_is_refused_alike() throws Exception {
        for (String route : server.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            if (method.equals("WS") || OPEN.contains(path) || path.startsWith("/gateway/") || path.startsWith("/hooks/") || page(path)) {
                continue;
            }
            String concrete = fill(path, "team-a", "default");
            for (String token : new String[] {null, "agy_not-a-token-at-all-000000000"}) {
                var r = as(token, method, concrete, method.equals("GET") || method.equals("DELETE") ? null : "{}");
                assertThat(r.statusCode()).as("%s %s without a valid token", method, concrete).isEqualTo(401);
            }
        }
        assertThat(as(null, "GET", "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(socketRefused(null, "/api/workspaces/team-a/ws")).isTrue();
    }

    @Test
    void a_viewer_reads_but_cannot_start_and_a_read_only_token_cannot_write() throws Exception {
        assertThat(as(carol, "GET", "/api/workspaces/team-a/runs", null).statusCode()).isEqualTo(200);
        var refused = as(carol, "POST", "/api/workspaces/team-a/runs", "{\"pipeline\": \"x\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("needs the role member").contains("you are viewer");
        String readOnly = created(as(alice, "POST", "/api/tokens", "{\"name\": \"dashboards\", \"readOnly\": true}")).path("token").asText();
        assertThat(as(readOnly, "GET", "/api/workspaces/team-a/runs", null).statusCode()).isEqualTo(200);
        assertThat(as(readOnly, "POST", "/api/workspaces/team-a/runs", "{\"pipeline\": \"x\"}").statusCode()).isEqualTo(403);
        var membersByMember = as(carol, "PUT", "/api/workspaces/team-a/members/carol", "{\"role\": \"owner\"}");
        assertThat(membersByMember.statusCode()).as("a viewer cannot promote herself").isEqualTo(403);
    }

    @Test
    void a_revoked_or_expired_token_is_refused() throws Exception {
        var made = created(as(alice, "POST", "/api/tokens", "{\"name\": \"short\", \"expiresIn\": \"1h\"}"));
        String token = made.path("token").asText();
        assertThat(as(token, "GET", "/api/me", null).statusCode()).isEqualTo(200);
        assertThat(as(alice, "DELETE", "/api/tokens/" + made.path("id").asLong(), null).statusCode()).isEqualTo(204);
        assertThat(as(token, "GET", "/api/me", null).statusCode()).isEqualTo(401);
        var listed = as(alice, "GET", "/api/tokens", null).body();
        assertThat(listed).contains("short").doesNotContain(token);
    }

    /** The web page's routes: public, since everything the page shows comes from the API with a token. */
    private static boolean page(String path) {
        return path.equals("/") || path.equals("/login") || path.startsWith("/w/") || path.startsWith("/assets/");
    }

    @Test
    void every_route_is_in_the_openapi_document() throws Exception {
        JsonNode paths = JSON.readTree(server.get("/api/openapi.json").body()).path("paths");
        var missing = new ArrayList<String>();
        for (String route : server.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "{}");
            if (page(path)) {
                continue; // the web page, not the API
            }
            boolean found = false;
            for (var it = paths.fieldNames(); it.hasNext(); ) {
                String documented = it.next();
                if (documented.replaceAll("\\{[^}]+}", "{}").equals(path)
                        && (method.equals("WS") || paths.path(documented).has(method.toLowerCase()))) {
                    found = true;
                }
            }
            if (!found) {
                missing.add(route);
            }
        }
        assertThat(missing).as("routes the OpenAPI document does not describe").isEmpty();
    }

    /** A route with its parameters filled with workspace B's objects. */
    private static String fill(String path, String workspace, String account) {
        boolean decisions = path.contains("/decisions/");
        return path.replace("{workspace}", workspace).replace("{account}", account)
                .replace("{id}", Long.toString(decisions ? bobDecision : bobRun))
                .replace("{name}", path.contains("/fragments/") ? "house-style" : "secret-plan")
                .replace("{step}", "hold").replace("{version}", "1").replace("{call}", "1").replace("{number}", "1")
                .replace("{user}", "bob").replace("{trigger}", "t").replace("{dependsOn}", "1");
    }

    private static JsonNode created(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return JSON.readTree(r.body());
    }

    private static HttpRequest.Builder put(String path, String body) {
        return HttpRequest.newBuilder(URI.create(server.url + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpResponse<String> as(String token, String method, String path, String body) {
        var request = HttpRequest.newBuilder(URI.create(server.url + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10));
        // an explicit header, even an empty one, keeps TestServer from adding the administrator's token
        request.header("Authorization", token == null ? "Bearer" : "Bearer " + token);
        return server.send(request);
    }

    /** Whether the server closes a WebSocket on this path at once (refused) rather than keeping it open. */
    private static boolean socketRefused(String token, String path) throws Exception {
        var closed = new CompletableFuture<Integer>();
        var builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        var socket = builder.buildAsync(URI.create(server.url.replaceFirst("^http", "ws") + path), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        }).get(10, TimeUnit.SECONDS);
        try {
            return closed.get(5, TimeUnit.SECONDS) != null;
        } catch (java.util.concurrent.TimeoutException stillOpen) {
            socket.abort();
            return false;
        }
    }
}
