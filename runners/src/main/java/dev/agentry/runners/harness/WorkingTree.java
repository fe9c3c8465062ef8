package dev.agentry.runners.harness;

import dev.agentry.runners.git.Git;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A job's working tree: a {@code git worktree} of the repository's mirror with the task branch checked out as a
 * local branch of the mirror. The local branch exists only while the tree does; what the remote has is in the
 * mirror's tracking refs (see {@link Mirror}).
 */
final class WorkingTree {
    private final Mirror mirror;
    private final Path dir;
    private final String branch;
    private final String start;

    private WorkingTree(Mirror mirror, Path dir, String branch, String start) {
        this.mirror = mirror;
        this.dir = dir;
        this.branch = branch;
        this.start = start;
    }

    /** Another job on this machine has the task branch checked out. */
    static final class BranchBusy extends Exception {
        BranchBusy(String message) {
            super(message);
        }
    }

    /**
     * Makes the tree at {@code dir} with {@code branch} checked out at {@code startSha}. Only the worktree's
     * registration happens under the mirror's lock; the files are written after it, so jobs on one repository
     * check out side by side.
     *
     * @param live whether a tree belongs to a job still running here; any other tree holding the branch is
     *             left over from a job that ended without cleaning up (the JVM was killed), and is removed
     */
    static WorkingTree create(Mirror mirror, Path dir, String branch, String startSha, Predicate<Path> live)
            throws IOException, BranchBusy {
        Git git = mirror.git();
        mirror.lock().lock();
        try {
            if (Files.exists(dir)) {
                Harness.deleteTree(dir);
                git.run("worktree", "prune");
            }
            Files.createDirectories(dir.getParent());
            String[] add = {"worktree", "add", "--quiet", "--no-checkout", "-B", branch, dir.toString(), startSha};
            Git.Result r = git.tryRun(add);
            if (!r.ok()) {
                Path holder = holderOf(git, branch);
                if (holder == null) {
                    git.run(add); // fails again, with git's own words
                }
                if (live.test(holder)) {
                    throw new BranchBusy("the task branch " + branch + " is checked out by another job on this runner ("
                            + holder.getFileName() + ")");
                }
                Harness.deleteTree(holder);
                git.run("worktree", "prune");
                git.run(add);
            }
        } finally {
            mirror.lock().unlock();
        }
        Git.tree(dir).run("reset", "--quiet", "--hard", startSha);
        return new WorkingTree(mirror, dir, branch, startSha);
    }

    /**
     * Makes the idle tree at {@code dir} (left detached by {@link #park()}) exactly the job's start: {@code branch}
     * checked out at {@code startSha}, nothing of the job before it left (files changed, untracked or ignored, an
     * unfinished merge, the tree's own configuration). The branch is claimed under the mirror's lock, as
     * {@code create} does; the files are reset after it. Throws {@link IOException} when the tree is not in a state
     * that can be made clean; the caller then removes it and makes a new one.
     */
    static WorkingTree reuse(Mirror mirror, Path dir, String branch, String startSha, Predicate<Path> live)
            throws IOException, BranchBusy {
        Path admin = adminDir(mirror, dir);
        Git tree = Git.tree(dir);
        mirror.lock().lock();
        try {
            Path holder = holderOf(mirror.git(), branch);
            if (holder != null && !holder.equals(dir) && !holder.equals(dir.toRealPath())) {
                if (live.test(holder)) {
                    throw new BranchBusy("the task branch " + branch + " is checked out by another job on this runner ("
                            + holder.getFileName() + ")");
                }
                Harness.deleteTree(holder);
                mirror.git().run("worktree", "prune");
            }
            // Only the refs change here (what claims the branch); the files are written without the lock.
            tree.run("update-ref", "refs/heads/" + branch, startSha);
            tree.run("symbolic-ref", "HEAD", "refs/heads/" + branch);
        } finally {
            mirror.lock().unlock();
        }
        Files.deleteIfExists(admin.resolve("config.worktree"));
        tree.run("reset", "--quiet", "--hard", startSha);
        tree.run("clean", "--quiet", "-ffdx");
        for (String state : STATE) {
            if (Files.exists(admin.resolve(state), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("the tree " + dir.getFileName() + " has " + state + " left after a reset");
            }
        }
        String left = tree.run("status", "--porcelain=v1", "--ignored", "--untracked-files=all").out();
        if (!left.isBlank()) {
            throw new IOException("the tree " + dir.getFileName() + " is not clean after a reset: " + left.strip());
        }
        for (String entry : tree.run("ls-files", "-v", "-z").out().split("\0")) {
            // H: a plain cached file; anything else is a flag (skip-worktree, assume-unchanged) that hides changes
            if (!entry.isEmpty() && !entry.startsWith("H ")) {
                throw new IOException("the tree " + dir.getFileName() + " has index flags left: " + entry);
            }
        }
        if (!startSha.equals(tree.run("rev-parse", "--verify", "HEAD").line())
                || !("refs/heads/" + branch).equals(tree.run("symbolic-ref", "--quiet", "HEAD").line())) {
            throw new IOException("the tree " + dir.getFileName() + " is not at " + startSha + " on " + branch);
        }
        return new WorkingTree(mirror, dir, branch, startSha);
    }

    /** What a git operation in progress leaves in a worktree's own git directory. */
    private static final List<String> STATE = List.of("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge",
            "rebase-apply", "sequencer", "BISECT_LOG", "BISECT_START", "locked");

    /**
     * The tree's own git directory in the mirror ({@code worktrees/<name>}), checked both ways: the tree's
     * {@code .git} must be a file naming it (not a repository of the process's making, nor a link), and it must
     * name the tree back. A tree that fails this is not reused.
     */
    private static Path adminDir(Mirror mirror, Path dir) throws IOException {
        var nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
        Path gitFile = dir.resolve(".git");
        if (!Files.isDirectory(dir, nofollow) || !Files.isRegularFile(gitFile, nofollow)) {
            throw new IOException("the tree " + dir.getFileName() + " has no .git file of the mirror's");
        }
        String text = Files.readString(gitFile).strip();
        Path worktrees = mirror.dir().toRealPath().resolve("worktrees");
        Path realGitFile = dir.toRealPath().resolve(".git");
        Path admin = text.startsWith("gitdir: ") ? Path.of(text.substring("gitdir: ".length())).normalize() : null;
        if (admin == null || !worktrees.equals(admin.getParent()) || !Files.isDirectory(admin, nofollow)
                || !Files.isRegularFile(admin.resolve("gitdir"), nofollow)
                || !Path.of(Files.readString(admin.resolve("gitdir")).strip()).normalize().equals(realGitFile)) {
            throw new IOException("the tree " + dir.getFileName() + " is not a worktree of the mirror");
        }
        return admin;
    }

    /** The tree that has {@code branch} checked out, if any. */
    private static Path holderOf(Git git, String branch) throws IOException {
        Path path = null;
        for (String line : git.run("worktree", "list", "--porcelain").out().split("\n")) {
            if (line.startsWith("worktree ")) {
                path = Path.of(line.substring("worktree ".length()));
            } else if (line.equals("branch refs/heads/" + branch)) {
                return path;
            }
        }
        return null;
    }

    Path dir() {
        return dir;
    }

    String branch() {
        return branch;
    }

    /** The commit the job started from. */
    String start() {
        return start;
    }

    Mirror mirror() {
        return mirror;
    }

    Git git() {
        return Git.tree(dir);
    }

    String head() throws IOException {
        return git().run("rev-parse", "--verify", "HEAD").line();
    }

    /** The branch HEAD is on ({@code refs/heads/...}), or null when it is detached. */
    String headRef() throws IOException {
        Git.Result r = git().tryRun("symbolic-ref", "--quiet", "HEAD");
        return r.ok() ? r.line() : null;
    }

    /** Paths with changes not committed, untracked files included (ignored ones not). */
    List<String> uncommitted() throws IOException {
        String out = git().run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames").out();
        List<String> paths = new ArrayList<>();
        for (String entry : out.split("\0")) {
            if (entry.length() > 3) {
                paths.add(entry.substring(3));
            }
        }
        return paths;
    }

    void commitAll(String message) throws IOException {
        git().run("add", "--all");
        git().run("commit", "--quiet", "--no-verify", "--allow-empty-message", "-m", message);
    }

    /** Paths that differ between {@code from} and {@code to}. */
    List<String> changed(String from, String to) throws IOException {
        return split(git().run("diff", "--name-only", "--no-renames", "-z", from, to).out());
    }

    String subject(String commit) throws IOException {
        return git().run("log", "-1", "--format=%s", commit).line();
    }

    /** Paths with merge conflicts not yet resolved in the index. */
    List<String> unmerged() throws IOException {
        return split(git().run("diff", "--name-only", "--diff-filter=U", "-z").out());
    }

    boolean merging() throws IOException {
        return git().tryRun("rev-parse", "--quiet", "--verify", "MERGE_HEAD").ok();
    }

    boolean contains(String ancestor) throws IOException {
        return git().tryRun("merge-base", "--is-ancestor", ancestor, "HEAD").ok();
    }

    int commitsBetween(String from, String to) throws IOException {
        return Integer.parseInt(git().run("rev-list", "--count", from + ".." + to).line());
    }

    /** Of {@code paths}, those whose file in the tree still has a conflict marker line. */
    List<String> withConflictMarkers(List<String> paths) throws IOException {
        List<String> marked = new ArrayList<>();
        for (String path : paths) {
            Path file = dir.resolve(path);
            if (Files.isRegularFile(file) && !Files.isSymbolicLink(file) && hasMarker(Files.readAllBytes(file))) {
                marked.add(path);
            }
        }
        return marked;
    }

    /** A line starting with seven {@code <}, {@code |} or {@code >} followed by a space or the line's end. */
    private static boolean hasMarker(byte[] bytes) {
        for (int i = 0; i + 7 <= bytes.length; i++) {
            if (i == 0 || bytes[i - 1] == '\n') {
                byte c = bytes[i];
                if (c != '<' && c != '>' && c != '|') {
                    continue;
                }
                int n = 0;
                while (n < 7 && bytes[i + n] == c) {
                    n++;
                }
                if (n == 7 && (i + 7 == bytes.length || bytes[i + 7] == ' ' || bytes[i + 7] == '\n' || bytes[i + 7] == '\r')) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Frees the task branch for the next job and keeps the tree for reuse: HEAD is detached where it is (the files
     * stay as the job left them; {@link #reuse} cleans them) and the local branch is deleted, under the lock.
     */
    void park() throws IOException {
        mirror.lock().lock();
        try {
            Git tree = git();
            tree.run("update-ref", "--no-deref", "HEAD", tree.run("rev-parse", "--verify", "HEAD^{commit}").line());
            mirror.git().tryRun("update-ref", "-d", "refs/heads/" + branch);
        } finally {
            mirror.lock().unlock();
        }
    }

    /** Deletes an idle tree (it holds no branch): its files, then its registration, under the lock. */
    static void discard(Mirror mirror, Path dir) throws IOException {
        Harness.deleteTree(dir);
        mirror.lock().lock();
        try {
            mirror.git().run("worktree", "prune");
        } finally {
            mirror.lock().unlock();
        }
    }

    /**
     * Deletes the tree and its local branch. The files go first, without the lock (they are this job's alone);
     * then the worktree's registration is pruned and the branch deleted under it.
     */
    void remove() throws IOException {
        Harness.deleteTree(dir);
        mirror.lock().lock();
        try {
            Git git = mirror.git();
            git.run("worktree", "prune");
            git.tryRun("update-ref", "-d", "refs/heads/" + branch);
        } finally {
            mirror.lock().unlock();
        }
    }

    private static List<String> split(String nulSeparated) {
        return Arrays.stream(nulSeparated.split("\0")).filter(s -> !s.isEmpty()).toList();
    }
}
