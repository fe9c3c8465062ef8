package dev.agentry.agents.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitTreeTest {
    @TempDir
    Path temp;

    @Test
    void a_snapshot_patch_carries_new_binary_deleted_and_non_utf8_files_to_a_fresh_clone() throws Exception {
        Path origin = GitRepos.create(temp.resolve("origin"), Map.of("a.txt", "a\n", "gone.txt", "bye\n", ".gitignore", "build/\n"));
        Path work = GitRepos.cloneOf(origin, temp.resolve("work"));
        Files.writeString(work.resolve("a.txt"), "a changed\n");
        Files.delete(work.resolve("gone.txt"));
        Files.write(work.resolve("image.bin"), new byte[] {0, 1, 2, (byte) 255, 0, 42});
        Files.write(work.resolve("latin1.txt"), "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.createDirectories(work.resolve("build"));
        Files.writeString(work.resolve("build/out.class"), "ignored");

        GitTree.Snapshot snapshot;
        try (GitTree git = GitTree.open(work)) {
            snapshot = git.snapshot();
        }

        Path fresh = GitRepos.cloneOf(origin, temp.resolve("fresh"));
        try (GitTree git = GitTree.open(fresh)) {
            git.apply(snapshot.patch());
            assertThat(git.snapshot().tree()).isEqualTo(snapshot.tree());
        }
        assertThat(Files.readString(fresh.resolve("a.txt"))).isEqualTo("a changed\n");
        assertThat(fresh.resolve("gone.txt")).doesNotExist();
        assertThat(Files.readAllBytes(fresh.resolve("image.bin"))).containsExactly(0, 1, 2, 255, 0, 42);
        assertThat(Files.readAllBytes(fresh.resolve("latin1.txt"))).isEqualTo("caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(fresh.resolve("build")).doesNotExist();
    }

    @Test
    void snapshots_leave_the_real_index_as_it_was_and_a_clean_tree_has_no_patch() throws Exception {
        Path work = GitRepos.create(temp.resolve("work"), Map.of("a.txt", "a\n"));
        Files.writeString(work.resolve("staged.txt"), "staged\n");
        GitRepos.git(work, "add", "staged.txt");
        Files.writeString(work.resolve("untracked.txt"), "new\n");
        String statusBefore = GitRepos.git(work, "status", "--porcelain");

        try (GitTree git = GitTree.open(work)) {
            assertThat(git.snapshot().patch()).contains("staged.txt", "untracked.txt");
        }

        assertThat(GitRepos.git(work, "status", "--porcelain")).isEqualTo(statusBefore).contains("A  staged.txt", "?? untracked.txt");
        Path clean = GitRepos.create(temp.resolve("clean"), Map.of("a.txt", "a\n"));
        try (GitTree git = GitTree.open(clean)) {
            assertThat(git.snapshot().patch()).isNull();
        }
    }
}
