package dev.agentry.runners.harness;

import dev.agentry.runners.git.Git;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bare repository on this machine that stands for one remote repository: every job's working tree is a
 * {@code git worktree} of it, so a job shares its objects instead of cloning.
 *
 * <p>Branches fetched from the remote are kept as remote-tracking refs ({@code refs/remotes/origin/<b>}),
 * never as {@code refs/heads/<b>}: the local branches belong to the working trees (a job's tree has the task
 * branch checked out, and git refuses to fetch into a branch checked out in a worktree). A fetch therefore
 * never touches a job's branch, and a job's commits never touch what the remote said.
 *
 * <p>Callers hold {@link #lock()} around every operation that changes refs or worktrees (they run one at a
 * time per mirror); reading objects and committing inside a tree need no lock.
 */
final class Mirror {
    static final String TRACKING = "refs/remotes/origin/";

    private final Path dir;
    private final String url;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    /** What the remote said about a branch, and when the asking began ({@link System#nanoTime()}). */
    private final Map<String, Observed> observed = new HashMap<>();
    /** Branches that jobs dispatched and not yet started will ask about. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();

    private record Observed(String sha, long askedAt) {}

    Mirror(Path dir, String url, Duration timeout) {
        this.dir = dir;
        this.url = url;
        this.timeout = timeout;
    }

    Path dir() {
        return dir;
    }

    Git git() {
        return Git.bare(dir);
    }

    ReentrantLock lock() {
        return lock;
    }

    /** A directory name for a repository: readable, stable, and distinct for distinct URLs. */
    static String nameFor(String url) {
        String clean = withoutUserInfo(url).toLowerCase().replaceFirst("^[a-z][a-z0-9+.-]*://", "")
                .replaceFirst("\\.git/?$", "").replaceAll("[^a-z0-9._-]+", "-").replaceAll("(^[-.]+|-+$)", "");
        if (clean.length() > 60) {
            clean = clean.substring(clean.length() - 60).replaceAll("^[-.]+", "");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return (clean.isEmpty() ? "repo" : clean) + "-" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL without a user or password: what may be written into the mirror's configuration. */
    static String withoutUserInfo(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getRawUserInfo() == null || uri.getScheme() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment()).toString();
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            return url; // scp-like (git@host:path) or a plain path: no password in either
        }
    }

    /**
     * Creates the bare repository on first use. The remote's URL (without credentials) is recorded for people
     * reading the trees' configuration; the harness itself always names the URL on the command line.
     */
    void open() throws IOException {
        lock.lock();
        try {
            if (Files.exists(dir.resolve("HEAD"))) {
                return;
            }
            Path partial = dir.resolveSibling(dir.getFileName() + ".init");
            Harness.deleteTree(partial);
            Files.createDirectories(partial.getParent());
            Git.tree(partial.getParent()).run("init", "--quiet", "--bare", partial.toString());
            Git bare = Git.bare(partial);
            bare.run("config", "remote.origin.url", withoutUserInfo(url));
            // Objects of a job that failed before pushing are garbage the mirror's automatic gc collects; it must
            // not run in the background of a job that is timed.
            bare.run("config", "gc.autoDetach", "false");
            Files.move(partial, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Notes branches a job dispatched to this mirror will ask about, so that whichever job asks the remote first
     * asks for it too.
     */
    void want(Collection<String> branches) {
        branches.stream().filter(java.util.Objects::nonNull).forEach(wanted::add);
    }

    /**
     * The remote heads of {@code branches} (null for a branch the remote does not have), with what they point to
     * fetched into the tracking refs. Call with the lock held.
     *
     * <p>A branch the remote was asked about after {@code notBefore} (a {@link System#nanoTime()}, the job's
     * dispatch) is not asked about again: that answer is as fresh as the job needs. Otherwise one
     * {@code ls-remote} answers for these branches and for every branch a job dispatched meanwhile wants, so jobs
     * dispatched together share one round trip; then one fetch, by object id (no second listing of refs), of
     * what moved. When nothing moved, a job costs the remote one round trip.
     */
    Map<String, String> heads(String credential, List<String> branches, long notBefore) throws IOException {
        boolean stale = branches.stream().anyMatch(b -> {
            Observed o = observed.get(b);
            return o == null || o.askedAt() - notBefore < 0;
        });
        if (stale) {
            Set<String> ask = new LinkedHashSet<>(branches);
            ask.addAll(wanted);
            wanted.removeAll(ask);
            long askedAt = System.nanoTime();
            List<String> args = new ArrayList<>(List.of("ls-remote", "--", url));
            ask.forEach(b -> args.add("refs/heads/" + b));
            Map<String, String> remote = new HashMap<>();
            for (String line : git().remote(credential, timeout, args.toArray(String[]::new)).out().split("\n")) {
                int tab = line.indexOf('\t');
                if (tab > 0 && line.startsWith("refs/heads/", tab + 1)) {
                    remote.put(line.substring(tab + 1 + "refs/heads/".length()), line.substring(0, tab));
                }
            }
            Map<String, String> tracking = tracking(ask);
            Map<String, String> behind = new LinkedHashMap<>();
            for (String b : ask) {
                String sha = remote.get(b);
                if (sha != null && !sha.equals(tracking.get(b))) {
                    behind.put(b, sha);
                } else if (sha == null && tracking.containsKey(b)) {
                    git().run("update-ref", "-d", TRACKING + b); // deleted on the remote: not resumed
                }
            }
            if (!behind.isEmpty()) {
                remote.putAll(fetch(credential, behind));
            }
            for (String b : ask) {
                observed.put(b, new Observed(remote.get(b), askedAt));
            }
        }
        Map<String, String> heads = new LinkedHashMap<>();
        branches.forEach(b -> heads.put(b, observed.get(b).sha()));
        return heads;
    }

    /**
     * Fetches the commits {@code behind} names and points the branches' tracking refs at them; returns where they
     * point. By object id first; a server that serves only current tips refuses one that moved since it was
     * listed, and then the branches are fetched by name (and point where the remote has them now).
     */
    private Map<String, String> fetch(String credential, Map<String, String> behind) throws IOException {
        List<String> byId = new ArrayList<>(List.of("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url));
        byId.addAll(new LinkedHashSet<>(behind.values()));
        try {
            git().remote(credential, timeout, byId.toArray(String[]::new));
        } catch (Git.GitFailure refused) {
            List<String> byName = new ArrayList<>(List.of("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url));
            behind.keySet().forEach(b -> byName.add("+refs/heads/" + b + ":" + TRACKING + b));
            git().remote(credential, timeout, byName.toArray(String[]::new));
            Map<String, String> now = tracking(behind.keySet());
            behind.keySet().forEach(b -> now.putIfAbsent(b, null));
            return now;
        }
        for (var e : behind.entrySet()) {
            git().run("update-ref", TRACKING + e.getKey(), e.getValue());
        }
        return behind;
    }

    /** What the tracking refs of {@code branches} point to (absent ones are left out). */
    private Map<String, String> tracking(Collection<String> branches) throws IOException {
        List<String> args = new ArrayList<>(List.of("for-each-ref", "--format=%(objectname) %(refname)"));
        branches.forEach(b -> args.add(TRACKING + b));
        Map<String, String> shas = new HashMap<>();
        for (String line : git().run(args.toArray(String[]::new)).out().split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith(TRACKING, space + 1)) {
                String name = line.substring(space + 1 + TRACKING.length());
                if (branches.contains(name)) { // for-each-ref matches prefixes too
                    shas.put(name, line.substring(0, space));
                }
            }
        }
        return shas;
    }

    /**
     * Pushes the local {@code branch} to the remote, never forcing: when the remote branch moved since the job
     * began, the remote refuses and this says so. Call with the lock held.
     */
    PushResult push(String credential, String branch, String sha) throws IOException {
        try {
            git().remote(credential, timeout, "push", "--quiet", "--porcelain", "--", url,
                    sha + ":refs/heads/" + branch);
        } catch (Git.GitFailure e) {
            String said = e.result().out() + "\n" + e.result().err();
            if (said.contains("[rejected]") || said.contains("non-fast-forward") || said.contains("fetch first")
                    || said.contains("stale info")) {
                observed.remove(branch);
                return PushResult.MOVED;
            }
            throw e;
        }
        git().run("update-ref", TRACKING + branch, sha);
        observed.put(branch, new Observed(sha, System.nanoTime()));
        return PushResult.PUSHED;
    }

    enum PushResult { PUSHED, MOVED }
}
