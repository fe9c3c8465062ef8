package dev.agentry.runners.harness;

import static dev.agentry.runners.harness.Jobs.env;
import static dev.agentry.runners.harness.Jobs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real smart-HTTP remote that demands the token: the harness uses it, the process never gets it. */
class CredentialsTest {
    static final String TOKEN = "s3cret-token-5f2a9c";

    @TempDir
    Path tmp;
    Origin origin;
    GitHttpServer server;
    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        origin = Origin.create(tmp.resolve("origin"));
        server = new GitHttpServer(tmp.resolve("origin"), TOKEN);
        harness = Jobs.harness(tmp.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void the_harness_fetches_and_pushes_with_the_credential_and_the_process_never_sees_it() throws Exception {
        Path seen = Files.createDirectories(tmp.resolve("seen"));
        var spec = Jobs.command("job-1", server.url("origin.git"), TOKEN, """
                env > "$SEEN/env"
                git config --list --show-origin > "$SEEN/config"
                git remote -v > "$SEEN/remote"
                git push origin HEAD:refs/heads/sneaky > "$SEEN/push" 2>&1; echo "push exit $?"
                echo work > work.txt && git add work.txt && git commit --quiet -m Work
                """, env("SEEN", seen.toString()));

        var ran = run(harness, spec);

        assertThat(ran.outcome().state()).as(String.valueOf(ran.outcome().failure())).isEqualTo(JobState.DONE);
        assertThat(origin.file("task", "work.txt")).as("pushed with the credential").isEqualTo("work\n");
        assertThat(server.authorizations).as("the harness sent the token").contains(basic(TOKEN));

        assertThat(ran.output()).doesNotContain("push exit 0");
        assertThat(origin.head("sneaky")).as("the process could not push on its own").isNull();
        assertThat(Files.readString(seen.resolve("push"))).as("refused for want of a credential")
                .containsAnyOf("could not read Username", "Authentication failed");
        assertThat(Files.readString(seen.resolve("remote"))).contains(server.url("origin.git"));
        for (String file : List.of("env", "config", "remote", "push")) {
            assertThat(Files.readString(seen.resolve(file))).as(file).doesNotContain(TOKEN, basic(TOKEN).substring(6))
                    .doesNotContainIgnoringCase("extraheader");
        }
        assertThat(filesContaining(tmp.resolve("work"), TOKEN)).as("nothing under the work root holds the token").isEmpty();
        assertThat(filesContaining(tmp.resolve("work"), basic(TOKEN).substring(6))).isEmpty();
    }

    @Test
    void a_wrong_credential_fails_the_job_as_a_git_failure_without_showing_the_credential() {
        var ran = run(harness, Jobs.command("job-1", server.url("origin.git"), "wrong-token", "true", Map.of()));

        assertThat(ran.outcome().state()).isEqualTo(JobState.FAILED);
        assertThat(ran.outcome().failure().cause()).isEqualTo(JobOutcome.Cause.GIT);
        assertThat(ran.outcome().failure().message()).contains("could not fetch").doesNotContain("wrong-token");
    }

    private static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static List<Path> filesContaining(Path root, String text) throws Exception {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (java.io.IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
