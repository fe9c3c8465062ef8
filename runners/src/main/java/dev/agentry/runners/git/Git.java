package dev.agentry.runners.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code git} command line, run with a fixed, small environment: no user or system configuration, no
 * prompts, a fixed identity. A credential, when given, reaches git through an HTTP header set on the command
 * line of that one call, never through the environment of anything else or a file in the repository.
 */
public final class Git {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_CAPTURE = 16 << 20;

    private final Path gitDir;
    private final Path workTree;
    private final Instant date;

    private Git(Path gitDir, Path workTree, Instant date) {
        this.gitDir = gitDir;
        this.workTree = workTree;
        this.date = date;
    }

    /** A bare repository (a mirror). */
    public static Git bare(Path gitDir) {
        return new Git(gitDir, null, null);
    }

    /** No repository: for commands that need none, such as {@code ls-remote} of a URL. */
    public static Git outside() {
        return new Git(null, null, null);
    }

    /** A working tree; git finds its repository from the tree's {@code .git}. */
    public static Git tree(Path workTree) {
        return new Git(null, workTree, null);
    }

    /**
     * The same repository, with the commits its commands make dated {@code when} (committer date, and the author
     * date of commits it authors): time from the caller's clock, not from the machine's.
     */
    public Git dated(Instant when) {
        return new Git(gitDir, workTree, when);
    }

    /** What a git command printed; {@code out} is stdout, {@code err} stderr. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        public String line() {
            return out.strip();
        }
    }

    /** A git command that failed: the message names the command (without credentials) and git's own words. */
    public static final class GitFailure extends IOException {
        private final Result result;

        GitFailure(String message, Result result) {
            super(message);
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }

    /** Runs git and fails unless it exits 0. */
    public Result run(String... args) throws IOException {
        Result r = tryRun(args);
        if (!r.ok()) {
            throw failure(args, r);
        }
        return r;
    }

    /** Runs git and returns whatever happened. */
    public Result tryRun(String... args) throws IOException {
        return exec(null, DEFAULT_TIMEOUT, args);
    }

    /** Runs a git command that talks to a remote, with the credential (if any) as an HTTP authorization header. */
    public Result remote(String credential, Duration timeout, String... args) throws IOException {
        Result r = exec(credential, timeout, args);
        if (!r.ok()) {
            throw failure(args, r);
        }
        return r;
    }

    /** Like {@link #remote} but returns whatever happened instead of failing. */
    public Result remoteTry(String credential, Duration timeout, String... args) throws IOException {
        return exec(credential, timeout, args);
    }

    private GitFailure failure(String[] args, Result r) {
        String err = r.err().strip();
        if (err.length() > 2000) {
            err = err.substring(0, 2000) + "...";
        }
        return new GitFailure("git " + String.join(" ", Arrays.asList(args)) + " exited with " + r.exit()
                + (err.isEmpty() ? "" : ": " + err), r);
    }

    private Result exec(String credential, Duration timeout, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("git");
        if (credential != null) {
            // Basic auth with the token as password works for GitHub, GitLab and Gitea over https.
            String basic = java.util.Base64.getEncoder().encodeToString(
                    ("x-access-token:" + credential).getBytes(StandardCharsets.UTF_8));
            command.add("-c");
            command.add("http.extraHeader=Authorization: Basic " + basic);
        }
        if (gitDir != null) {
            command.add("--git-dir=" + gitDir);
        }
        command.addAll(Arrays.asList(args));
        var builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (workTree != null) {
            builder.directory(workTree.toFile());
        } else if (gitDir != null) {
            builder.directory(gitDir.getParent() == null ? gitDir.toFile() : gitDir.getParent().toFile());
        }
        builder.environment().clear();
        builder.environment().putAll(environment());
        if (date != null) {
            String when = date.getEpochSecond() + " +0000";
            builder.environment().put("GIT_AUTHOR_DATE", when);
            builder.environment().put("GIT_COMMITTER_DATE", when);
        }
        Process process = builder.start();
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Thread outReader = Thread.ofVirtual().start(() -> copy(process.getInputStream(), out));
        Thread errReader = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                outReader.join(1000);
                errReader.join(1000);
                return new Result(124, out.toString(StandardCharsets.UTF_8), "timed out after " + timeout.toSeconds() + "s");
            }
            outReader.join();
            errReader.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
        return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The environment of every git call: nothing from the user's or the system's git configuration. */
    static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("PATH", "HOME", "LANG", "TMPDIR")) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        isolate(env);
        env.put("GIT_ASKPASS", "/bin/false");
        return env;
    }

    /**
     * Makes git, run with this environment, read no user or system configuration (where credential helpers
     * live), never prompt, and commit as Agentry: for the harness's own calls and for the jobs' processes.
     */
    public static void isolate(Map<String, String> env) {
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_AUTHOR_NAME", "Agentry");
        env.put("GIT_AUTHOR_EMAIL", "agentry@localhost");
        env.put("GIT_COMMITTER_NAME", "Agentry");
        env.put("GIT_COMMITTER_EMAIL", "agentry@localhost");
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (to.size() < MAX_CAPTURE) {
                    to.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process went away
        }
    }
}
