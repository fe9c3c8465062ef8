package dev.agentry.runners.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.Forge.ForgeFailure;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.MergeMethod;
import dev.agentry.core.forge.PullRequest;
import dev.agentry.runners.git.Git;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local forge on real git repositories: an origin made with the git command line, whose working tree
 * stays detached so that its branches can be pushed to, as a server's would be.
 */
class LocalForgeTest {
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path dir;

    Path origin;
    Git git;
    FakeLocalPullRequests store;
    LocalForge forge;
    ForgeRepository repo;

    @BeforeEach
    void setUp() throws IOException {
        origin = dir.resolve("origin");
        Files.createDirectories(origin);
        git = Git.tree(origin);
        git.run("init", "--quiet", "-b", "main");
        commit("main", "README.md", "hello\n", "Initial commit");
        commit("task/1", "feature.txt", "a feature\n", "Add feature");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        store = new FakeLocalPullRequests(clock);
        forge = new LocalForge(dir.resolve("work"), store, clock);
        repo = new ForgeRepository("default", "app", origin.toString(), "main", null);
    }

    /** Commits a file on the branch (made from main if it is new) in the origin, which is left detached. */
    private String commit(String branch, String file, String content, String message) throws IOException {
        boolean exists = git.tryRun("rev-parse", "--verify", "--quiet", "refs/heads/" + branch).ok();
        boolean empty = !git.tryRun("rev-parse", "--verify", "--quiet", "HEAD").ok();
        if (exists) {
            git.run("checkout", "--quiet", branch);
        } else if (!empty) {
            git.run("checkout", "--quiet", "-b", branch, "main");
        }
        Files.writeString(origin.resolve(file), content);
        git.run("add", file);
        git.run("commit", "--quiet", "-m", message);
        String sha = rev(branch);
        git.run("checkout", "--quiet", "--detach");
        return sha;
    }

    private String rev(String ref) throws IOException {
        return git.run("rev-parse", ref).line();
    }

    private List<String> parents(String ref) throws IOException {
        List<String> line = List.of(git.run("rev-list", "--parents", "-n", "1", ref).line().split(" "));
        return line.subList(1, line.size());
    }

    private PullRequest openTask() throws ForgeFailure {
        return forge.open(repo, "task/1", "main", "Add feature", "Adds a feature.");
    }

    @Test
    void opening_numbers_the_pull_request_and_records_the_change_it_proposes() throws Exception {
        PullRequest pr = openTask();

        assertThat(pr.number()).isEqualTo(1);
        assertThat(pr.url()).isEqualTo("agentry://default/app/pulls/1");
        assertThat(pr.state()).isEqualTo("open");
        assertThat(pr.head()).isEqualTo("task/1");
        assertThat(pr.base()).isEqualTo("main");
        assertThat(pr.headCommit()).isEqualTo(rev("task/1"));
        assertThat(pr.mergeable()).isTrue();
        assertThat(pr.mergeCommit()).isNull();
        var stored = store.find("default", "app", 1).orElseThrow();
        assertThat(stored.diff()).contains("diff --git a/feature.txt b/feature.txt", "+a feature");
        assertThat(stored.body()).isEqualTo("Adds a feature.");
        assertThat(dir.resolve("work/forge")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("default-app-"));
    }

    @Test
    void opening_again_for_the_same_head_returns_the_same_pull_request_brought_up_to_date() throws Exception {
        PullRequest first = openTask();
        String newer = commit("task/1", "more.txt", "more\n", "Add more");

        PullRequest again = openTask();

        assertThat(again.number()).isEqualTo(first.number());
        assertThat(again.headCommit()).isEqualTo(newer);
        assertThat(store.list("default", "app")).hasSize(1);
        assertThat(store.find("default", "app", 1).orElseThrow().diff()).contains("+a feature", "+more");
    }

    @Test
    void a_branch_that_conflicts_with_base_is_not_mergeable() throws Exception {
        commit("task/conflict", "README.md", "hello from the task\n", "Change the greeting");
        commit("main", "README.md", "hello from main\n", "Change the greeting differently");

        PullRequest clean = openTask();
        PullRequest conflicting = forge.open(repo, "task/conflict", "main", "Greeting", "");

        assertThat(clean.mergeable()).isTrue();
        assertThat(conflicting.mergeable()).isFalse();
        assertThat(forge.get(repo, conflicting.number()).mergeable()).isFalse();
        assertThat(forge.get(repo, clean.number()).mergeable()).isTrue();
    }

    @Test
    void get_follows_a_head_branch_that_moved_on() throws Exception {
        PullRequest pr = openTask();
        String newer = commit("task/1", "more.txt", "more\n", "Add more");

        PullRequest now = forge.get(repo, pr.number());

        assertThat(now.headCommit()).isEqualTo(newer);
        assertThat(store.find("default", "app", 1).orElseThrow().diff()).contains("+more");
    }

    @Test
    void checks_combine_what_an_outside_ci_reported_on_the_head_commit() throws Exception {
        PullRequest pr = openTask();
        assertThat(forge.checks(repo, pr).state()).isEqualTo(Checks.State.NONE);

        store.reportCheck("default", "app", pr.headCommit(), new Checks.Check("tests", Checks.State.PENDING, null));
        store.reportCheck("default", "app", rev("main"), new Checks.Check("other commit", Checks.State.FAILED, null));
        assertThat(forge.checks(repo, pr).state()).isEqualTo(Checks.State.PENDING);

        store.reportCheck("default", "app", pr.headCommit(), new Checks.Check("tests", Checks.State.PASSED, "https://ci/1"));
        store.reportCheck("default", "app", pr.headCommit(), new Checks.Check("lint", Checks.State.FAILED, null));
        Checks failed = forge.checks(repo, pr);
        assertThat(failed.state()).isEqualTo(Checks.State.FAILED);
        assertThat(failed.failedNames()).containsExactly("lint");

        store.reportCheck("default", "app", pr.headCommit(), new Checks.Check("lint", Checks.State.PASSED, null));
        Checks passed = forge.checks(repo, pr);
        assertThat(passed.state()).isEqualTo(Checks.State.PASSED);
        assertThat(passed.checks()).extracting(Checks.Check::name).containsExactly("tests", "lint");
    }

    @Test
    void merging_lands_a_merge_commit_on_the_base_branch_of_the_repository() throws Exception {
        String mainBefore = rev("main");
        PullRequest pr = openTask();

        PullRequest merged = forge.merge(repo, pr, MergeMethod.MERGE);

        String tip = rev("main");
        assertThat(merged.state()).isEqualTo("merged");
        assertThat(merged.mergeCommit()).isEqualTo(tip);
        assertThat(store.find("default", "app", 1).orElseThrow().state()).isEqualTo("merged");
        assertThat(parents("main")).containsExactly(mainBefore, pr.headCommit());
        assertThat(git.run("log", "-1", "--format=%B", "main").out().strip())
                .isEqualTo("Merge pull request #1 from task/1\n\nAdd feature");
        assertThat(git.run("log", "-1", "--format=%ct %an", "main").line()).isEqualTo(NOW.getEpochSecond() + " Agentry");
        assertThat(git.run("show", "main:feature.txt").out()).isEqualTo("a feature\n");

        PullRequest again = forge.merge(repo, pr, MergeMethod.MERGE);
        assertThat(again).as("merging a merged pull request returns it").isEqualTo(merged);
        assertThat(rev("main")).isEqualTo(tip);
    }

    @Test
    void merging_a_conflicting_pull_request_is_refused_and_leaves_base_as_it_was() throws Exception {
        commit("task/conflict", "README.md", "hello from the task\n", "Change the greeting");
        String mainTip = commit("main", "README.md", "hello from main\n", "Change the greeting differently");
        PullRequest pr = forge.open(repo, "task/conflict", "main", "Greeting", "");

        assertThatThrownBy(() -> forge.merge(repo, pr, MergeMethod.MERGE))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessage("pull request #1 conflicts with main in README.md");

        assertThat(rev("main")).isEqualTo(mainTip);
        assertThat(forge.get(repo, 1).state()).isEqualTo("open");
    }

    @Test
    void squashing_lands_one_commit_with_the_whole_change() throws Exception {
        commit("task/1", "more.txt", "more\n", "Add more");
        String mainBefore = commit("main", "other.txt", "other\n", "Meanwhile on main");
        PullRequest pr = openTask();

        PullRequest merged = forge.merge(repo, pr, MergeMethod.SQUASH);

        assertThat(merged.mergeCommit()).isEqualTo(rev("main"));
        assertThat(parents("main")).containsExactly(mainBefore);
        assertThat(git.run("log", "-1", "--format=%B", "main").out().strip()).isEqualTo("Add feature (#1)\n\nAdds a feature.");
        assertThat(git.run("ls-tree", "--name-only", "main").out().lines())
                .containsExactly("README.md", "feature.txt", "more.txt", "other.txt");
    }

    @Test
    void rebasing_replays_each_commit_of_the_head_onto_base() throws Exception {
        commit("task/1", "more.txt", "more\n", "Add more");
        String mainBefore = commit("main", "other.txt", "other\n", "Meanwhile on main");
        PullRequest pr = openTask();

        PullRequest merged = forge.merge(repo, pr, MergeMethod.REBASE);

        assertThat(merged.mergeCommit()).isEqualTo(rev("main"));
        assertThat(git.run("log", "--format=%s", mainBefore + "..main").out().lines()).containsExactly("Add more", "Add feature");
        assertThat(parents("main~1")).containsExactly(mainBefore);
        assertThat(parents("main")).containsExactly(rev("main~1"));
        assertThat(git.run("worktree", "list").out().lines()).as("the replay's working tree is gone").hasSize(1);
    }

    @Test
    void a_head_that_moved_since_the_caller_looked_is_not_merged() throws Exception {
        String mainBefore = rev("main");
        PullRequest seen = openTask();
        commit("task/1", "unreviewed.txt", "surprise\n", "Unreviewed change");

        assertThatThrownBy(() -> forge.merge(repo, seen, MergeMethod.MERGE))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessageContaining("the head of pull request #1 moved since it was looked at");

        assertThat(rev("main")).isEqualTo(mainBefore);
    }

    @Test
    void a_base_that_moved_after_opening_is_merged_at_its_new_tip() throws Exception {
        PullRequest pr = openTask();
        String mainTip = commit("main", "other.txt", "other\n", "Meanwhile on main");

        forge.merge(repo, pr, MergeMethod.MERGE);

        assertThat(parents("main")).containsExactly(mainTip, pr.headCommit());
    }

    @Test
    void a_base_that_moves_while_pushing_is_fetched_again_and_the_merge_made_once_more() throws Exception {
        String elsewhere = commit("elsewhere", "other.txt", "other\n", "Pushed by someone else");
        PullRequest pr = openTask();
        // The origin turns the first push away after someone else's push has moved main.
        Path marker = dir.resolve("raced");
        Path hook = origin.resolve(".git/hooks/pre-receive");
        Files.writeString(hook, """
                #!/bin/sh
                if [ ! -e '%s' ]; then
                  touch '%s'
                  env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES \\
                    git update-ref refs/heads/main %s
                  echo 'main moved meanwhile' >&2
                  exit 1
                fi
                """.formatted(marker, marker, elsewhere));
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

        PullRequest merged = forge.merge(repo, pr, MergeMethod.MERGE);

        assertThat(marker).exists();
        assertThat(merged.mergeCommit()).isEqualTo(rev("main"));
        assertThat(parents("main")).containsExactly(elsewhere, pr.headCommit());
    }

    @Test
    void what_cannot_be_opened_is_refused_with_the_reason() throws Exception {
        assertThatThrownBy(() -> forge.open(repo, "task/none", "main", "t", ""))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessage("there is no branch task/none in default/app to open a pull request from");
        git.run("branch", "--force", "task/behind", rev("main"));
        assertThatThrownBy(() -> forge.open(repo, "task/behind", "main", "t", ""))
                .isInstanceOf(ForgeFailure.class)
                .hasMessage("no commits between main and task/behind: task/behind is already in main");
        assertThatThrownBy(() -> forge.open(repo, "--upload-pack=x", "main", "t", ""))
                .isInstanceOf(ForgeFailure.class)
                .hasMessage("head '--upload-pack=x' is not a valid branch name");
        assertThatThrownBy(() -> forge.get(repo, 7))
                .isInstanceOf(ForgeFailure.class).hasMessage("there is no pull request #7 in default/app");
    }

    @Test
    void comments_are_recorded_on_the_pull_request() throws Exception {
        PullRequest pr = openTask();

        forge.comment(repo, pr, "The gate passed.");

        assertThat(store.comments).containsExactly("#1: The gate passed.");
    }
}
