package dev.agentry.agents.builtin;

import dev.agentry.agents.builtin.AgentTool.Refused;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The working tree the agent may touch, and the rule that keeps it there: paths are relative, never climb out
 * with {@code ..}, never pass through a symlink that leads outside, and never reach into {@code .git} (whose
 * config and hooks would run code past the command policy).
 */
final class WorkTree {
    private final Path root;

    WorkTree(Path dir) {
        try {
            this.root = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("the working tree " + dir + " cannot be read", e);
        }
    }

    Path root() {
        return root;
    }

    /** The tree's file for a path the model gave; throws {@link Refused} with the reason when it is not allowed. */
    Path resolve(String path) {
        String given = path == null || path.isBlank() ? "." : path.strip();
        Path p;
        try {
            p = Path.of(given);
        } catch (InvalidPathException e) {
            throw new Refused("not a valid path: " + given);
        }
        if (p.isAbsolute() || given.startsWith("~")) {
            throw new Refused("path must be relative to the working tree, got " + given);
        }
        Path normal = root.resolve(p).normalize();
        if (!normal.startsWith(root)) {
            throw new Refused(given + " is outside the working tree");
        }
        Path relative = root.relativize(normal);
        if (relative.getNameCount() > 0 && relative.getName(0).toString().equals(".git")) {
            throw new Refused(given + " is inside .git, which the agent may not touch");
        }
        Path current = root;
        for (Path name : relative) {
            if (name.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(name);
            if (Files.isSymbolicLink(current)) {
                Path target;
                try {
                    target = current.toRealPath();
                } catch (IOException e) {
                    throw new Refused(given + " passes through a symlink that leads nowhere");
                }
                if (!target.startsWith(root)) {
                    throw new Refused(given + " passes through a symlink that leads outside the working tree");
                }
            } else if (!Files.exists(current)) {
                break;
            }
        }
        return normal;
    }

    /** How the model should see a path: relative, with forward slashes. */
    String show(Path path) {
        String shown = root.relativize(path).toString().replace('\\', '/');
        return shown.isEmpty() ? "." : shown;
    }

    static boolean isGitDir(Path dir) {
        return dir.getFileName() != null && dir.getFileName().toString().equals(".git");
    }

    /** A file that looks binary: a NUL byte among its first 8000 bytes. */
    static boolean looksBinary(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8000);
            for (byte b : head) {
                if (b == 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
