package dev.agentry.runners.forge;

import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.Forge;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.LocalPullRequests;
import dev.agentry.core.forge.LocalPullRequests.Stored;
import dev.agentry.core.forge.MergeMethod;
import dev.agentry.core.forge.PullRequest;
import dev.agentry.runners.git.Git;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Agentry's own forge, for a repository given as a local path or any git URL the repository's credential
 * reaches. Pull requests, comments and the checks an outside CI reports are records in {@link LocalPullRequests};
 * the git work happens in a bare clone of the repository kept under {@code <workRoot>/forge/}, fetched before
 * every operation that needs the repository's current branches. Merging is a real git merge (or squash, or
 * rebase) made in that clone and pushed to the repository's base branch without force.
 *
 * <p>Operations on one repository take turns within this process; across processes the non-forced push is
 * what keeps two merges from overwriting each other.
 */
public final class LocalForge implements Forge {
    private static final Duration REMOTE_TIMEOUT = Duration.ofMinutes(10);

    private final Path clones;
    private final LocalPullRequests store;
    private final Clock clock;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    public LocalForge(Path workRoot, LocalPullRequests store, Clock clock) {
        this.clones = workRoot.resolve("forge");
        this.store = store;
        this.clock = clock;
    }

    /** The address of a local pull request, for links and messages. */
    public static String url(ForgeRepository repo, int number) {
        return "agentry://" + repo.workspace() + "/" + repo.name() + "/pulls/" + number;
    }

    @Override
    public PullRequest open(ForgeRepository repo, String head, String base, String title, String body) throws ForgeFailure {
        return locked(repo, clone -> {
            fetch(repo, clone);
            requireBranchName(clone, "head", head);
            requireBranchName(clone, "base", base);
            String headCommit = branch(clone, head).orElseThrow(() -> refused("there is no branch " + head + " in "
                    + describe(repo) + " to open a pull request from"));
            // Opening again for an open head updates that pull request, which keeps the base it was opened with.
            String onto = store.list(repo.workspace(), repo.name()).stream()
                    .filter(s -> s.state().equals("open") && s.head().equals(head))
                    .map(Stored::base).findFirst().orElse(null);
            boolean isNew = onto == null;
            onto = isNew ? base : onto;
            String missing = "there is no base branch " + onto + " in " + describe(repo);
            String baseCommit = branch(clone, onto).orElseThrow(() -> refused(missing));
            String mergeBase = mergeBase(clone, baseCommit, headCommit);
            if (isNew && mergeBase.equals(headCommit)) {
                throw refused("no commits between " + onto + " and " + head + ": " + head + " is already in " + onto);
            }
            Stored stored = store.openOrUpdate(repo.workspace(), repo.name(), head, onto, title, body == null ? "" : body,
                    headCommit, diff(clone, mergeBase, headCommit));
            return view(repo, stored, mergeable(clone, baseCommit, headCommit));
        });
    }

    /**
     * The pull request as it is now: when its head branch has moved on, it follows (head commit and diff brought
     * up to date, as a hosted forge does on a push), and whether it merges cleanly is worked out afresh.
     */
    @Override
    public PullRequest get(ForgeRepository repo, int number) throws ForgeFailure {
        return locked(repo, clone -> {
            Stored stored = find(repo, number);
            if (!stored.state().equals("open")) {
                return view(repo, stored, null);
            }
            fetch(repo, clone);
            Optional<String> head = branch(clone, stored.head());
            Optional<String> base = branch(clone, stored.base());
            if (head.isPresent() && base.isPresent() && !head.get().equals(stored.headCommit())) {
                String mergeBase = mergeBase(clone, base.get(), head.get());
                stored = store.openOrUpdate(repo.workspace(), repo.name(), stored.head(), stored.base(), stored.title(),
                        stored.body(), head.get(), diff(clone, mergeBase, head.get()));
            }
            boolean mergeable = base.isPresent() && head.isPresent() && mergeable(clone, base.get(), stored.headCommit());
            return view(repo, stored, mergeable);
        });
    }

    /** The checks an outside CI reported on the pull request's head commit. */
    @Override
    public Checks checks(ForgeRepository repo, PullRequest pr) throws ForgeFailure {
        return CombinedChecks.of(store.checks(repo.workspace(), repo.name(), pr.headCommit()));
    }

    @Override
    public PullRequest merge(ForgeRepository repo, PullRequest pr, MergeMethod method) throws ForgeFailure {
        return locked(repo, clone -> {
            Stored stored = find(repo, pr.number());
            if (stored.state().equals("merged")) {
                return view(repo, stored, null);
            }
            if (!stored.state().equals("open")) {
                throw refused("pull request #" + pr.number() + " is " + stored.state() + "; only an open one can be merged");
            }
            String seen = pr.headCommit();
            if (!stored.headCommit().equals(seen)) {
                throw refused(headMoved(pr, stored.headCommit()));
            }
            fetch(repo, clone);
            String head = branch(clone, stored.head()).orElseThrow(() -> refused("the head branch " + stored.head()
                    + " of pull request #" + pr.number() + " no longer exists in " + describe(repo)));
            if (!head.equals(seen)) {
                throw refused(headMoved(pr, head));
            }
            String landed = null;
            for (int attempt = 1; landed == null; attempt++) {
                String base = branch(clone, stored.base()).orElseThrow(() -> refused("the base branch " + stored.base()
                        + " of pull request #" + pr.number() + " no longer exists in " + describe(repo)));
                if (isAncestor(clone, head, base)) {
                    landed = base; // merged by other means already: nothing to push
                } else {
                    String candidate = land(clone, stored, base, head, method);
                    if (push(repo, clone, candidate, base, stored.base(), attempt)) {
                        landed = candidate;
                    }
                }
            }
            Stored after = store.markMerged(repo.workspace(), repo.name(), pr.number(), head, landed);
            if (!after.state().equals("merged")) {
                throw new ForgeFailure("pull request #" + pr.number() + " landed on " + stored.base() + " as " + landed
                        + ", but its record changed meanwhile (it is " + after.state() + " at " + after.headCommit() + ")", false);
            }
            return view(repo, after, null);
        });
    }

    @Override
    public void comment(ForgeRepository repo, PullRequest pr, String text) throws ForgeFailure {
        find(repo, pr.number());
        store.comment(repo.workspace(), repo.name(), pr.number(), text);
    }

    // --- merging

    /** The commit that would make the base branch hold the pull request, made in the clone but not pushed. */
    private String land(Path clone, Stored pr, String base, String head, MergeMethod method) throws IOException, ForgeFailure {
        String tree = mergedTree(clone, pr, base, head);
        Git git = Git.bare(clone).dated(clock.instant());
        return switch (method) {
            case MERGE -> git.run("commit-tree", tree, "-p", base, "-p", head, "-m",
                    "Merge pull request #" + pr.number() + " from " + pr.head() + "\n\n" + pr.title()).line();
            case SQUASH -> git.run("commit-tree", tree, "-p", base, "-m",
                    pr.title() + " (#" + pr.number() + ")" + (pr.body().isBlank() ? "" : "\n\n" + pr.body())).line();
            case REBASE -> rebase(clone, pr, base, head);
        };
    }

    /** The tree of base and head merged, or a refusal naming the files that conflict. */
    private static String mergedTree(Path clone, Stored pr, String base, String head) throws IOException, ForgeFailure {
        var result = Git.bare(clone).tryRun("merge-tree", "--write-tree", "--name-only", "--no-messages", base, head);
        List<String> lines = result.out().lines().toList();
        if (result.exit() == 1) {
            List<String> files = lines.stream().skip(1).filter(l -> !l.isBlank()).distinct().toList();
            throw refused("pull request #" + pr.number() + " conflicts with " + pr.base() + " in "
                    + (files.isEmpty() ? "some files" : String.join(", ", files.subList(0, Math.min(files.size(), 20)))
                    + (files.size() > 20 ? " and " + (files.size() - 20) + " more files" : "")));
        }
        if (!result.ok() || lines.isEmpty()) {
            throw new IOException("git merge-tree exited with " + result.exit() + ": " + result.err().strip());
        }
        return lines.getFirst().strip();
    }

    /** Head's commits replayed one by one onto base, in a working tree of the clone made for that and removed after. */
    private String rebase(Path clone, Stored pr, String base, String head) throws IOException, ForgeFailure {
        Path work = clones.resolve(".work").resolve(UUID.randomUUID().toString());
        Files.createDirectories(work.getParent());
        Git repo = Git.bare(clone);
        repo.run("worktree", "add", "--quiet", "--detach", work.toString(), head);
        try {
            Git tree = Git.tree(work).dated(clock.instant());
            var rebased = tree.tryRun("rebase", "--quiet", base);
            if (!rebased.ok()) {
                tree.tryRun("rebase", "--abort");
                throw refused("pull request #" + pr.number() + " cannot be rebased onto " + pr.base()
                        + ": replaying its commits one by one conflicts (merge or squash it instead)");
            }
            return tree.run("rev-parse", "HEAD").line();
        } finally {
            repo.tryRun("worktree", "remove", "--force", work.toString());
            repo.tryRun("worktree", "prune");
        }
    }

    /**
     * Pushes {@code commit} to the repository's base branch, which the clone last saw at {@code was}. False when
     * the base moved meanwhile and this was the first attempt: the clone has fetched it again for another.
     */
    private boolean push(ForgeRepository repo, Path clone, String commit, String was, String baseBranch, int attempt)
            throws IOException, ForgeFailure {
        Git git = Git.bare(clone);
        try {
            git.remote(repo.credential(), REMOTE_TIMEOUT, "push", "--quiet", "--porcelain", repo.url(),
                    commit + ":refs/heads/" + baseBranch);
        } catch (Git.GitFailure e) {
            fetch(repo, clone);
            boolean moved = !branch(clone, baseBranch).orElse("").equals(was);
            if (moved && attempt == 1) {
                return false;
            }
            String words = (e.result().out() + "\n" + e.result().err()).strip();
            boolean rejected = words.contains("[rejected]") || words.contains("[remote rejected]");
            throw new ForgeFailure("could not push the merge of " + describe(repo) + " to " + baseBranch
                    + (moved ? " (it kept moving while merging)" : "") + ": " + e.getMessage(), rejected);
        }
        git.run("update-ref", "refs/heads/" + baseBranch, commit, was);
        return true;
    }

    // --- the clone

    @FunctionalInterface
    private interface CloneWork<T> {
        T apply(Path clone) throws IOException, ForgeFailure;
    }

    private <T> T locked(ForgeRepository repo, CloneWork<T> work) throws ForgeFailure {
        Path clone = clones.resolve(directoryName(repo));
        ReentrantLock lock = locks.computeIfAbsent(clone, p -> new ReentrantLock());
        lock.lock();
        try {
            return work.apply(clone);
        } catch (IOException e) {
            throw new ForgeFailure("local forge, " + describe(repo) + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Brings the clone's branches to the repository's, making the clone first if there is none. */
    private static void fetch(ForgeRepository repo, Path clone) throws IOException {
        Git git = Git.bare(clone);
        if (!Files.exists(clone.resolve("HEAD"))) {
            Files.createDirectories(clone);
            git.run("init", "--quiet", "--bare");
        }
        git.remote(repo.credential(), REMOTE_TIMEOUT, "fetch", "--quiet", "--prune", "--no-tags", repo.url(),
                "+refs/heads/*:refs/heads/*");
    }

    /** A directory name that is readable, safe on every file system, and different for different repositories. */
    static String directoryName(ForgeRepository repo) {
        String key = repo.workspace() + "\n" + repo.name();
        String readable = (repo.workspace() + "-" + repo.name()).replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return readable.substring(0, Math.min(readable.length(), 80)) + "-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireBranchName(Path clone, String role, String name) throws IOException, ForgeFailure {
        if (name == null || name.isBlank() || name.startsWith("-")
                || !Git.bare(clone).tryRun("check-ref-format", "refs/heads/" + name).ok()) {
            throw refused(role + " '" + name + "' is not a valid branch name");
        }
    }

    private static Optional<String> branch(Path clone, String name) throws IOException {
        var r = Git.bare(clone).tryRun("rev-parse", "--verify", "--quiet", "refs/heads/" + name + "^{commit}");
        return r.ok() ? Optional.of(r.line()) : Optional.empty();
    }

    private static String mergeBase(Path clone, String base, String head) throws IOException, ForgeFailure {
        var r = Git.bare(clone).tryRun("merge-base", base, head);
        if (r.exit() == 1) {
            throw refused("the head and base branches share no history");
        }
        if (!r.ok()) {
            throw new IOException("git merge-base exited with " + r.exit() + ": " + r.err().strip());
        }
        return r.line();
    }

    private static boolean isAncestor(Path clone, String commit, String of) throws IOException {
        var r = Git.bare(clone).tryRun("merge-base", "--is-ancestor", commit, of);
        if (r.exit() > 1) {
            throw new IOException("git merge-base --is-ancestor exited with " + r.exit() + ": " + r.err().strip());
        }
        return r.ok();
    }

    /** Whether base and head merge without conflicts (git 2.38's merge-tree: 0 clean, 1 conflicts). */
    private static boolean mergeable(Path clone, String base, String head) throws IOException {
        var r = Git.bare(clone).tryRun("merge-tree", "--write-tree", "--no-messages", base, head);
        if (r.exit() > 1) {
            throw new IOException("git merge-tree exited with " + r.exit() + ": " + r.err().strip());
        }
        return r.ok();
    }

    /** The change head makes since it left base, as a hosted forge shows it; the store bounds its size. */
    private static String diff(Path clone, String mergeBase, String head) throws IOException {
        return Git.bare(clone).run("diff", "--no-color", "--no-ext-diff", "--no-textconv", mergeBase, head).out();
    }

    // --- records

    private Stored find(ForgeRepository repo, int number) throws ForgeFailure {
        return store.find(repo.workspace(), repo.name(), number)
                .orElseThrow(() -> refused("there is no pull request #" + number + " in " + describe(repo)));
    }

    private static PullRequest view(ForgeRepository repo, Stored s, Boolean mergeable) {
        return new PullRequest(s.number(), url(repo, s.number()), s.state(), s.head(), s.base(), s.headCommit(),
                s.state().equals("open") ? mergeable : null, s.mergeCommit());
    }

    private static String headMoved(PullRequest pr, String now) {
        return "the head of pull request #" + pr.number() + " moved since it was looked at (" + shortSha(pr.headCommit())
                + " then, " + shortSha(now) + " now): get it again and review the new commits before merging";
    }

    private static String shortSha(String sha) {
        return sha == null ? "none" : sha.substring(0, Math.min(12, sha.length()));
    }

    private static String describe(ForgeRepository repo) {
        return repo.workspace() + "/" + repo.name();
    }

    private static ForgeFailure refused(String message) {
        return new ForgeFailure(message, true);
    }
}
