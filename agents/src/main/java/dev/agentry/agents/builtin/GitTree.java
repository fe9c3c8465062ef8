package dev.agentry.agents.builtin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The agent's view of its working tree through the {@code git} command line: what the tree holds compared with
 * the commit the attempt started from, as a tree id (a cheap fingerprint) and a binary patch, and restoring such a
 * patch on a fresh checkout. Snapshots stage into a private index file ({@code GIT_INDEX_FILE}), so the real
 * index — and whatever the agent's own commands staged there — is never touched.
 */
final class GitTree implements AutoCloseable {
    /** Git's id of the empty tree: the base when the repository has no commit yet. */
    static final String EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    /** What the tree holds now: its git tree id and its changes since the base; the patch is null when clean. */
    record Snapshot(String tree, String patch) {}

    /** A git command that failed, with what git said. */
    static final class GitFailed extends RuntimeException {
        GitFailed(String message) {
            super(message);
        }
    }

    private final Path root;
    private final String base;
    private final String baseTree;
    private final Path scratch;
    private final Path index;

    private GitTree(Path root, String base, String baseTree, Path scratch) {
        this.root = root;
        this.base = base;
        this.baseTree = baseTree;
        this.scratch = scratch;
        this.index = scratch.resolve("index");
    }

    /** Opens the tree at {@code root}, taking its current HEAD as the base of every patch. */
    static GitTree open(Path root) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("agentry-agent-index");
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary directory for the agent's index", e);
        }
        GitTree tree = new GitTree(root, null, null, scratch);
        try {
            String top = tree.git(List.of("rev-parse", "--show-toplevel"), null, false, false).strip();
            if (!Path.of(top).toRealPath().equals(root.toRealPath())) {
                throw new GitFailed(root + " is not the top of a git working tree (its top is " + top + ")");
            }
            String head;
            try {
                head = tree.git(List.of("rev-parse", "--verify", "-q", "HEAD^{commit}"), null, false, false).strip();
            } catch (GitFailed noCommit) {
                head = EMPTY_TREE;
            }
            String headTree = head.equals(EMPTY_TREE) ? EMPTY_TREE
                    : tree.git(List.of("rev-parse", head + "^{tree}"), null, false, false).strip();
            GitTree opened = new GitTree(root, head, headTree, scratch);
            if (!head.equals(EMPTY_TREE)) {
                opened.git(List.of("read-tree", head), null, true, false);
            }
            return opened;
        } catch (IOException e) {
            deleteQuietly(scratch);
            throw new GitFailed("cannot read " + root + ": " + e.getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(scratch);
            throw e;
        }
    }

    String base() {
        return base;
    }

    /** Stages everything the tree holds (new files too, ignored files not) into the private index and diffs it. */
    Snapshot snapshot() {
        git(List.of("add", "-A", "."), null, true, false);
        String tree = git(List.of("write-tree"), null, true, false).strip();
        if (tree.equals(baseTree)) {
            return new Snapshot(tree, null);
        }
        List<String> diff = List.of("diff", "--binary", "--no-color", "--no-ext-diff", "--no-renames",
                "--src-prefix=a/", "--dst-prefix=b/", base, tree);
        String patch;
        try {
            patch = gitStrict(diff, false);
        } catch (CharacterCodingException notUtf8) {
            // a changed text file is not UTF-8: diff every file as binary so the patch is ASCII and exact
            try {
                patch = gitStrict(diff, true);
            } catch (CharacterCodingException impossible) {
                throw new GitFailed("git diff --binary answered bytes that are not text");
            }
        }
        return new Snapshot(tree, patch.isEmpty() ? null : patch);
    }

    /** Applies a patch from {@link #snapshot()} to the working tree (a fresh checkout of the same base). */
    void apply(String patch) {
        git(List.of("apply", "--binary", "--whitespace=nowarn", "-"), patch, false, false);
    }

    @Override
    public void close() {
        deleteQuietly(scratch);
    }

    private String gitStrict(List<String> args, boolean allBinary) throws CharacterCodingException {
        byte[] out = run(args, null, true, allBinary);
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out)).toString();
    }

    private String git(List<String> args, String stdin, boolean privateIndex, boolean allBinary) {
        return new String(run(args, stdin, privateIndex, allBinary), StandardCharsets.UTF_8);
    }

    private byte[] run(List<String> args, String stdin, boolean privateIndex, boolean allBinary) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=false"));
        if (allBinary) {
            Path attributes = scratch.resolve("attributes");
            try {
                Files.writeString(attributes, "* binary\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            command.addAll(List.of("-c", "core.attributesFile=" + attributes));
        }
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        builder.environment().remove("GIT_DIR");
        builder.environment().remove("GIT_WORK_TREE");
        if (privateIndex) {
            builder.environment().put("GIT_INDEX_FILE", index.toString());
        } else {
            builder.environment().remove("GIT_INDEX_FILE");
        }
        try {
            Process process = builder.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errors = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
            Thread input = Thread.ofVirtual().start(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    if (stdin != null) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // git stopped reading: its exit code says why
                }
            });
            byte[] out = process.getInputStream().readAllBytes();
            int exit = process.waitFor();
            errors.join();
            input.join();
            if (exit != 0) {
                throw new GitFailed("git " + args.getFirst() + " failed (exit " + exit + "): "
                        + err.toString(StandardCharsets.UTF_8).strip());
            }
            return out;
        } catch (IOException e) {
            throw new GitFailed("git could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitFailed("interrupted while git ran");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
