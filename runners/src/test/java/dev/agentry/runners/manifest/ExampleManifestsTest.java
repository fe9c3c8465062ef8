package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ExampleManifestsTest {

    @Test
    void every_shipped_example_manifest_parses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Examples.dir())) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("agentry-runner.yaml", "kubernetes-job.yaml", "nomad.yaml");
        for (Path f : files) {
            Manifest m = ManifestParser.parse(Files.readString(f), Examples.LOOPBACK);
            assertThat(m.providerId()).as(f.toString()).isNotBlank();
        }
    }

    @Test
    void the_small_manifest_in_the_documentation_parses() throws IOException {
        String doc = Files.readString(Examples.dir().resolve("../../docs/manifests.md").normalize());
        var block = Pattern.compile("## A small manifest\\n\\n```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).isTrue();
        assertThat(ManifestParser.parse(block.group(1)).providerId()).isEqualTo("batchy");
    }

    @Test
    void the_runner_example_needs_loopback_allowed_for_plain_http() {
        assertThatThrownBy(() -> ManifestParser.parse(Examples.read("agentry-runner.yaml")))
                .isInstanceOfSatisfying(InvalidDefinition.class, e -> assertThat(e.problems()).extracting(Problem::field).containsExactly("baseUrl"))
                .hasMessageContaining("plain http to 127.0.0.1 is refused");
        Manifest m = ManifestParser.parse(Examples.read("agentry-runner.yaml"), Examples.LOOPBACK);
        assertThat(m.auth()).isEqualTo(new Auth.Bearer("runner-token"));
        assertThat(m.longPolls()).isTrue();
    }

    @Test
    void the_scheduler_examples_use_https_and_need_no_allow_list() {
        Manifest k8s = ManifestParser.parse(Examples.read("kubernetes-job.yaml"));
        assertThat(k8s.baseUrl().getScheme()).isEqualTo("https");
        assertThat(k8s.longPolls()).isFalse();
        assertThat(k8s.release().query()).extracting(Manifest.Param::name).containsExactly("propagationPolicy");

        Manifest nomad = ManifestParser.parse(Examples.read("nomad.yaml"));
        assertThat(nomad.auth()).isEqualTo(new Auth.CustomHeaders(List.of(new Auth.SecretHeader("X-Nomad-Token", "nomad-token"))));
    }
}
