package dev.agentry.runners.harness;

import dev.agentry.runners.git.Git;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A repository for tests, made with the git CLI: a bare {@code origin.git} (what jobs fetch from and push
 * to) and a {@code seed} clone through which the test commits to it, as a person would.
 */
public final class Origin {
    private final Path bare;
    private final Path seed;

    private Origin(Path bare, Path seed) {
        this.bare = bare;
        this.seed = seed;
    }

    /** A repository whose {@code main} has one commit with {@code files}. */
    public static Origin create(Path dir, Map<String, String> files) throws IOException {
        Path bare = dir.resolve("origin.git");
        Path seed = dir.resolve("seed");
        Files.createDirectories(dir);
        Git.tree(dir).run("init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
        Git.tree(dir).run("init", "--quiet", "--initial-branch=main", seed.toString());
        Git.tree(seed).run("remote", "add", "origin", bare.toString());
        var origin = new Origin(bare, seed);
        origin.write(files);
        Git.tree(seed).run("add", "--all");
        Git.tree(seed).run("commit", "--quiet", "-m", "initial");
        Git.tree(seed).run("push", "--quiet", "origin", "main");
        return origin;
    }

    public static Origin create(Path dir) throws IOException {
        return create(dir, Map.of("README.md", "hello\n"));
    }

    public String url() {
        return bare.toUri().toString();
    }

    public Path bare() {
        return bare;
    }

    /** Commits {@code files} on {@code branch} (made from {@code main} if new) and pushes it; returns the commit. */
    public String commit(String branch, Map<String, String> files, String message) throws IOException {
        Git git = Git.tree(seed);
        git.run("fetch", "--quiet", "origin");
        String from = head(branch) != null ? "origin/" + branch : "origin/main";
        git.run("checkout", "--quiet", "-B", branch, from);
        write(files);
        git.run("add", "--all");
        git.run("commit", "--quiet", "-m", message);
        git.run("push", "--quiet", "origin", branch);
        return git.run("rev-parse", "HEAD").line();
    }

    /**
     * Rewrites {@code branch}: a commit of {@code files} on top of {@code from}, force-pushed; then the origin forgets
     * the commits no branch reaches any more (as a server's gc would). Returns the new commit.
     */
    public String rewrite(String branch, String from, Map<String, String> files, String message) throws IOException {
        Git git = Git.tree(seed);
        git.run("checkout", "--quiet", "-B", branch, from);
        write(files);
        git.run("add", "--all");
        git.run("commit", "--quiet", "-m", message);
        git.run("push", "--quiet", "--force", "origin", branch);
        Git.bare(bare).run("reflog", "expire", "--expire=now", "--all");
        Git.bare(bare).run("gc", "--quiet", "--prune=now");
        return git.run("rev-parse", "HEAD").line();
    }

    /** The branch's commit on the origin, or null when it has no such branch. */
    public String head(String branch) throws IOException {
        Git.Result r = Git.bare(bare).tryRun("rev-parse", "--verify", "--quiet", "refs/heads/" + branch);
        return r.ok() ? r.line() : null;
    }

    public String file(String branch, String path) throws IOException {
        return Git.bare(bare).run("show", branch + ":" + path).out();
    }

    /** Subjects of the branch's commits, newest first. */
    public List<String> subjects(String branch) throws IOException {
        return Arrays.asList(Git.bare(bare).run("log", "--format=%s", branch).out().strip().split("\n"));
    }

    /** How many parents the branch's head has. */
    public int parents(String branch) throws IOException {
        return Git.bare(bare).run("rev-list", "--parents", "-n", "1", branch).line().split(" ").length - 1;
    }

    private void write(Map<String, String> files) throws IOException {
        for (var e : files.entrySet()) {
            Path file = seed.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
    }
}
