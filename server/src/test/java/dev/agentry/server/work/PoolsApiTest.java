package dev.agentry.server.work;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.server.ServerConfig;
import dev.agentry.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Registering runner pools over HTTP: manifests are checked strictly, the local pool is always there. */
class PoolsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(new ServerConfig.Work("local", java.util.Set.of("127.0.0.1"), "https://api.github.com", null,
                Map.of("runner-token", "a-token-of-sixteen-or-more")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode register(Object body) throws Exception {
        var response = server.post("/api/pools", JSON.writeValueAsString(body));
        var json = JSON.readTree(response.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("_status", response.statusCode());
        return json;
    }

    @Test
    void the_shipped_runner_manifest_registers_and_is_listed_after_the_local_pool() throws Exception {
        String manifest = Files.readString(Path.of("../examples/pools/agentry-runner.yaml"));
        var pool = register(Map.of("name", "farm", "slots", 3, "labels", List.of("remote"), "manifest", manifest));
        assertThat(pool.path("_status").asInt()).as(pool.toString()).isEqualTo(201);
        var pools = JSON.readTree(server.get("/api/pools").body()).path("pools");
        assertThat(pools.get(0).path("name").asText()).isEqualTo("local");
        assertThat(pools.get(0).path("default").asBoolean()).isTrue();
        assertThat(pools.findValuesAsText("name")).contains("farm");
        var one = JSON.readTree(server.get("/api/pools/farm").body());
        assertThat(one.path("manifest").path("auth").toString()).contains("runner-token").doesNotContain("a-token-of-sixteen");
    }

    @Test
    void a_bad_manifest_is_refused_with_every_problem_named_by_its_field() throws Exception {
        var refused = register(Map.of("name", "bad", "manifest", """
                providerId: x
                label: X
                baseUrl: http://scheduler.example.com
                auth: {bearer: {token: abc}}
                operations:
                  dispatch: {method: FETCH, pathTemplate: /jobs}
                """));
        assertThat(refused.path("_status").asInt()).isEqualTo(422);
        var fields = refused.path("problems").findValuesAsText("field");
        assertThat(fields).contains("baseUrl", "operations.dispatch.method");
        assertThat(refused.toString()).doesNotContain("abc\"");
    }

    @Test
    void the_local_pool_cannot_be_replaced_or_removed_and_unknown_pools_are_not_found() throws Exception {
        assertThat(register(Map.of("name", "local", "manifest", "{}")).path("field").asText()).isEqualTo("name");
        assertThat(server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url + "/api/pools/local")).DELETE())
                .statusCode()).isEqualTo(409);
        assertThat(server.get("/api/pools/nope").statusCode()).isEqualTo(404);
        assertThat(register(Map.of("name", "x", "slots", 0, "manifest", "{}")).path("field").asText()).isEqualTo("slots");
    }
}
