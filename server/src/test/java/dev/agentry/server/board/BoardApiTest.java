package dev.agentry.server.board;

import static dev.agentry.server.board.Boards.HELD;
import static dev.agentry.server.board.Boards.WS;
import static dev.agentry.server.board.Boards.approve;
import static dev.agentry.server.board.Boards.block;
import static dev.agentry.server.board.Boards.dependsOn;
import static dev.agentry.server.board.Boards.get;
import static dev.agentry.server.board.Boards.json;
import static dev.agentry.server.board.Boards.patch;
import static dev.agentry.server.board.Boards.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentry.server.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Editing the board over HTTP: blocks, edges, the refusals, and a task's status as its run goes on. */
class BoardApiTest {
    static TestServer server;
    static long shop;
    static long cart;

    @BeforeAll
    static void start() {
        server = new TestServer();
        assertThat(server.post(WS + "/pipelines", HELD).statusCode()).isIn(200, 201);
        shop = block(server, "{\"kind\": \"service\", \"name\": \"shop\"}");
        cart = block(server, "{\"kind\": \"module\", \"parent\": " + shop + ", \"name\": \"cart\"}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private long task(String name, String pipeline) {
        return block(server, "{\"kind\": \"task\", \"parent\": " + cart + ", \"name\": \"" + name + "\""
                + (pipeline == null ? "" : ", \"pipeline\": \"" + pipeline + "\"") + "}");
    }

    @Test
    void an_edge_that_would_close_a_cycle_is_refused_naming_the_cycle_and_nothing_is_stored() {
        long a = task("cycle-a", null);
        long b = task("cycle-b", null);
        long c = task("cycle-c", null);
        dependsOn(server, a, b);
        dependsOn(server, b, c);

        var r = server.post(WS + "/blocks/" + c + "/edges", "{\"dependsOn\": " + a + "}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(json(r).path("detail").asText()).isEqualTo("this edge would make a cycle: cycle-c → cycle-a → cycle-b → cycle-c");
        assertThat(json(r).path("field").asText()).isEqualTo("dependsOn");
        assertThat(get(server, "/blocks/" + c).path("dependsOn")).isEmpty();
    }

    @Test
    void a_block_cannot_depend_on_itself() {
        long a = task("selfish", null);

        var r = server.post(WS + "/blocks/" + a + "/edges", "{\"dependsOn\": " + a + "}");

        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(json(r).path("detail").asText()).isEqualTo("a block cannot depend on itself (selfish)");
    }

    @Test
    void a_service_cannot_be_moved_under_a_task_nor_a_module_under_a_task() {
        long t = task("host", null);
        long other = block(server, "{\"kind\": \"service\", \"name\": \"billing\"}");

        var service = patch(server, "/blocks/" + other, "{\"parent\": " + t + "}");
        var module = patch(server, "/blocks/" + cart, "{\"parent\": " + t + "}");

        assertThat(service.statusCode()).isEqualTo(422);
        assertThat(json(service).path("detail").asText())
                .isEqualTo("a service sits at the top of the board and has no parent, not a task");
        assertThat(module.statusCode()).isEqualTo(422);
        assertThat(json(module).path("detail").asText()).isEqualTo("a module must sit under a service, not under a task");
        assertThat(json(module).path("field").asText()).isEqualTo("parent");
        assertThat(get(server, "/blocks/" + cart).path("parent").asLong()).isEqualTo(shop);
    }

    @Test
    void unknown_ids_are_not_found_and_named() {
        long t = task("lonely", null);

        var edge = server.post(WS + "/blocks/" + t + "/edges", "{\"dependsOn\": 999999}");
        var parent = server.post(WS + "/blocks", "{\"kind\": \"task\", \"parent\": 888888, \"name\": \"x\"}");
        var missing = server.get(WS + "/blocks/777777");

        assertThat(edge.statusCode()).isEqualTo(404);
        assertThat(json(edge).path("detail").asText()).isEqualTo("no block 999999 in this workspace");
        assertThat(json(edge).path("field").asText()).isEqualTo("dependsOn");
        assertThat(parent.statusCode()).isEqualTo(404);
        assertThat(json(parent).path("detail").asText()).isEqualTo("no block 888888 in this workspace");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void deleting_a_module_deletes_its_tasks_and_their_edges() {
        long module = block(server, "{\"kind\": \"module\", \"parent\": " + shop + ", \"name\": \"doomed\"}");
        long inside = block(server, "{\"kind\": \"task\", \"parent\": " + module + ", \"name\": \"inside\"}");
        long outside = task("outside", null);
        dependsOn(server, outside, inside);

        assertThat(server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url + WS + "/blocks/" + module))
                .DELETE()).statusCode()).isEqualTo(204);

        assertThat(server.get(WS + "/blocks/" + inside).statusCode()).isEqualTo(404);
        assertThat(get(server, "/blocks/" + outside).path("dependsOn")).isEmpty();
    }

    @Test
    void a_tasks_status_follows_its_pipeline_its_dependencies_and_its_latest_run() {
        long first = task("first", null);
        long second = task("second", "held");
        dependsOn(server, second, first);
        assertThat(status(server, first)).isEqualTo("planned"); // no pipeline

        assertThat(patch(server, "/blocks/" + first, "{\"pipeline\": \"held\", \"description\": \"do it\"}").statusCode())
                .isEqualTo(200);
        assertThat(status(server, first)).isEqualTo("ready");
        assertThat(status(server, second)).isEqualTo("planned"); // first is not done

        var started = server.post(WS + "/blocks/" + first + "/runs", "");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        long run = json(started).path("run").asLong();
        assertThat(get(server, "/runs/" + run).path("inputs").path("task").asText()).isEqualTo("first");
        assertThat(get(server, "/runs/" + run).path("inputs").path("description").asText()).isEqualTo("do it");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(server, first), s -> s.equals("needs-attention"));

        approve(server, run);

        await().atMost(Duration.ofSeconds(20)).until(() -> status(server, first), s -> s.equals("done"));
        assertThat(status(server, second)).isEqualTo("ready");
        assertThat(get(server, "/blocks/" + first).path("latestRun").asLong()).isEqualTo(run);
    }

    @Test
    void planning_orders_tasks_in_layers_and_names_outside_dependencies_that_block() {
        long base = task("plan-base", "held");
        long left = task("plan-left", "held");
        long right = task("plan-right", "held");
        long top = task("plan-top", "held");
        long elsewhere = task("plan-elsewhere", "held");
        dependsOn(server, left, base);
        dependsOn(server, right, base);
        dependsOn(server, top, left);
        dependsOn(server, top, right);
        dependsOn(server, base, elsewhere);

        var plan = json(server.post(WS + "/waves/plan", "{\"tasks\": [" + top + ", " + right + ", " + left + ", " + base
                + "], \"maxParallel\": 1}"));

        assertThat(plan.path("layers").toString()).isEqualTo("[[" + base + "],[" + left + "," + right + "],[" + top + "]]");
        assertThat(plan.path("waves").toString()).isEqualTo("[[" + base + "],[" + left + "],[" + right + "],[" + top + "]]");
        assertThat(plan.path("blockedBy").path(String.valueOf(base)).toString()).isEqualTo("[" + elsewhere + "]");
    }

    @Test
    void planning_tasks_that_depend_on_each_other_in_a_cycle_is_refused() {
        // the board refuses cycles, so this one is made of a task listed twice: the request itself is refused
        long a = task("twice", "held");
        var r = server.post(WS + "/waves/plan", "{\"tasks\": [" + a + ", " + a + "]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("detail").asText()).isEqualTo("task " + a + " is named twice");
    }
}
