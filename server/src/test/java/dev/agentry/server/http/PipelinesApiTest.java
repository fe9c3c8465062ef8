package dev.agentry.server.http;

import static dev.agentry.server.http.ApiFixture.WS;
import static dev.agentry.server.http.ApiFixture.ok;
import static dev.agentry.server.http.ApiFixture.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelinesApiTest {
    ApiFixture api;

    @BeforeAll
    void start() {
        api = new ApiFixture();
    }

    @AfterAll
    void stop() {
        api.close();
    }

    private static List<Integer> versions(JsonNode list) {
        var versions = new ArrayList<Integer>();
        list.get("items").forEach(v -> versions.add(v.get("version").asInt()));
        return versions;
    }

    @Test
    void applying_a_yaml_definition_creates_version_one_and_applying_it_again_changes_nothing() throws Exception {
        String hello = Files.readString(Path.of("../examples/hello.yaml"));

        var created = ok(api.post(WS + "/pipelines", hello, "application/yaml"), 201);
        assertThat(created.get("name").asText()).isEqualTo("hello");
        assertThat(created.get("version").asInt()).isEqualTo(1);
        assertThat(created.get("created").asBoolean()).isTrue();
        assertThat(created.get("digest").asText()).hasSize(64);
        assertThat(created.get("inputs").get("name").get("required").asBoolean()).isTrue();
        assertThat(created.get("steps")).extracting(s -> s.get("id").asText()).containsExactly("greet", "review", "publish");
        var publish = created.get("steps").get(2);
        assertThat(publish.get("kind").asText()).isEqualTo("command");
        assertThat(publish.get("needs")).extracting(JsonNode::asText).containsExactly("review");
        assertThat(publish.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(publish.get("timeout").asText()).isEqualTo("10m");

        var again = ok(api.post(WS + "/pipelines", hello, "application/yaml"), 200);
        assertThat(again.get("version").asInt()).isEqualTo(1);
        assertThat(again.get("created").asBoolean()).isFalse();
        assertThat(again.get("digest").asText()).isEqualTo(created.get("digest").asText());
        assertThat(versions(ok(api.get(WS + "/pipelines/hello/versions"), 200))).containsExactly(1);
    }

    @Test
    void a_json_definition_is_applied_like_yaml() {
        String json = """
                {"name": "from-json", "inputs": {"who": {"default": "world"}},
                 "steps": [{"id": "a", "kind": "command", "run": "echo {{ inputs.who }}"},
                           {"id": "b", "kind": "noop", "needs": ["a"], "when": "always"}]}
                """;
        var created = ok(api.post(WS + "/pipelines", json), 201);
        assertThat(created.get("name").asText()).isEqualTo("from-json");
        assertThat(created.get("steps").get(1).get("when").asText()).isEqualTo("always");
        assertThat(ok(api.post(WS + "/pipelines", json), 200).get("version").asInt()).isEqualTo(1);
    }

    @Test
    void a_changed_definition_becomes_a_new_version_and_old_versions_stay_readable() {
        String v1 = "{name: versioned, steps: [{id: a, kind: noop}]}";
        String v2 = "{name: versioned, description: two steps now, steps: [{id: a, kind: noop}, {id: b, kind: noop, needs: [a]}]}";
        assertThat(ok(api.post(WS + "/pipelines", v1, "application/yaml"), 201).get("version").asInt()).isEqualTo(1);
        var second = ok(api.post(WS + "/pipelines", v2, "application/yaml"), 201);
        assertThat(second.get("version").asInt()).isEqualTo(2);
        assertThat(second.get("created").asBoolean()).isTrue();

        var latest = ok(api.get(WS + "/pipelines/versioned"), 200);
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("description").asText()).isEqualTo("two steps now");
        assertThat(latest.get("source").asText()).isEqualTo(v2);

        var first = ok(api.get(WS + "/pipelines/versioned/versions/1"), 200);
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("source").asText()).isEqualTo(v1);
        assertThat(first.get("steps")).hasSize(1);

        assertThat(versions(ok(api.get(WS + "/pipelines/versioned/versions"), 200))).containsExactly(2, 1);
        assertThat(api.pipelines()).contains("versioned@2");

        // applying the old text again is a change too: it becomes the latest, as version 3
        assertThat(ok(api.post(WS + "/pipelines", v1, "application/yaml"), 201).get("version").asInt()).isEqualTo(3);
    }

    @Test
    void a_run_keeps_the_version_it_started_on() {
        api.apply("{name: pinned, steps: [{id: gate, kind: approval}]}");
        long onFirst = api.start("{\"pipeline\": \"pinned\"}");
        api.apply("{name: pinned, steps: [{id: gate, kind: approval}, {id: after, kind: noop, needs: [gate]}]}");
        long onSecond = api.start("{\"pipeline\": \"pinned\"}");
        long askedForFirst = api.start("{\"pipeline\": \"pinned\", \"version\": 1}");

        assertThat(api.run(onFirst).get("version").asInt()).isEqualTo(1);
        assertThat(api.run(onFirst).get("steps")).hasSize(1);
        assertThat(api.run(onSecond).get("version").asInt()).isEqualTo(2);
        assertThat(api.run(onSecond).get("steps")).hasSize(2);
        assertThat(api.run(askedForFirst).get("version").asInt()).isEqualTo(1);
        assertThat(api.run(askedForFirst).get("steps")).hasSize(1);
    }

    @Test
    void the_pipeline_list_shows_each_pipeline_once_at_its_latest_version_by_name() {
        api.apply("{name: list-b, steps: [{id: a, kind: noop}]}");
        api.apply("{name: list-a, steps: [{id: a, kind: noop}]}");
        api.apply("{name: list-a, steps: [{id: a, kind: noop}, {id: b, kind: noop}]}");
        var listed = api.pipelines().stream().filter(p -> p.startsWith("list-")).toList();
        assertThat(listed).containsExactly("list-a@2", "list-b@1");
        var item = ok(api.get(WS + "/pipelines"), 200).get("items").get(0);
        assertThat(item.has("source")).as("lists leave out the source").isFalse();
    }

    @Test
    void an_invalid_definition_is_refused_with_every_problem_and_nothing_is_stored() {
        var before = api.pipelines();
        var r = api.post(WS + "/pipelines", """
                name: broken
                steps:
                  - {id: a, kind: command}
                  - {id: b, kind: noop, needs: [a, ghost], neds: [a]}
                """, "application/yaml");
        var p = problem(r, 422, "steps[0].run");
        assertThat(p.get("type").asText()).isEqualTo("urn:agentry:problem:invalid-definition");
        assertThat(p.get("problems")).extracting(x -> x.get("field").asText())
                .containsExactlyInAnyOrder("steps[0].run", "steps[1].needs[1]", "steps[1].neds");
        assertThat(p.get("detail").asText()).contains("3 problems").contains("unknown step 'ghost'");
        assertThat(api.pipelines()).isEqualTo(before);
        problem(api.get(WS + "/pipelines/broken"), 404, "pipeline");
    }

    @Test
    void malformed_yaml_and_json_definitions_are_refused_with_their_position() {
        var yaml = problem(api.post(WS + "/pipelines", "name: bad\nsteps:\n  - id: a\n   kind: noop\n", "application/yaml"), 422, "");
        assertThat(yaml.get("detail").asText()).startsWith("not valid YAML or JSON: line 4, column ");
        var json = problem(api.post(WS + "/pipelines", "{\"name\": \"bad\",\n \"steps\": [{\"id\": \"a\" \"kind\": \"noop\"}]}"), 422, "");
        assertThat(json.get("detail").asText()).startsWith("not valid YAML or JSON: line 2, column ");
    }

    @Test
    void an_empty_definition_is_refused() {
        var p = problem(api.post(WS + "/pipelines", "", "application/yaml"), 422, "");
        assertThat(p.get("detail").asText()).contains("empty");
    }

    @Test
    void a_definition_whose_timeout_cannot_be_shown_is_refused_rather_than_breaking_the_listing() {
        var r = api.post(WS + "/pipelines", "{name: forever, steps: [{id: a, kind: noop, timeout: 100000000000000d}]}", "application/yaml");
        problem(r, 422, "steps[0].timeout");
        ok(api.get(WS + "/pipelines"), 200);
    }

    @Test
    void unknown_pipelines_and_versions_are_not_found_and_bad_names_are_bad_requests() {
        api.apply("{name: known, steps: [{id: a, kind: noop}]}");
        assertThat(problem(api.get(WS + "/pipelines/unknown"), 404, "pipeline").get("detail").asText())
                .contains("no pipeline named 'unknown'");
        problem(api.get(WS + "/pipelines/unknown/versions"), 404, "pipeline");
        assertThat(problem(api.get(WS + "/pipelines/known/versions/9"), 404, "version").get("detail").asText())
                .contains("has no version 9");
        problem(api.get(WS + "/pipelines/unknown/versions/1"), 404, "pipeline"); // the pipeline is what is missing
        assertThat(problem(api.get(WS + "/pipelines/known/versions/99999999999"), 404, "version").get("detail").asText())
                .contains("has no version 99999999999");
        problem(api.get(WS + "/pipelines/known/versions/one"), 400, "version");
        problem(api.get(WS + "/pipelines/known/versions/0"), 400, "version");
        problem(api.get(WS + "/pipelines/Not_A_Name"), 400, "name");
    }

    @Test
    void an_oversized_definition_is_refused_with_413_and_not_stored() {
        var before = api.pipelines();
        var big = new StringBuilder("name: too-big\nsteps:\n  - id: a\n    kind: command\n    run: |\n");
        while (big.length() < 70 * 1024) {
            big.append("      echo 0123456789012345678901234567890123456789012345678901234567890123456789\n");
        }
        var p = problem(api.post(WS + "/pipelines", big.toString(), "application/yaml"), 413, "");
        assertThat(p.get("type").asText()).isEqualTo("urn:agentry:problem:body-too-large");
        assertThat(api.pipelines()).isEqualTo(before);
    }
}
