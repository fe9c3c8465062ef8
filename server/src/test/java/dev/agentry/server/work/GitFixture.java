package dev.agentry.server.work;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real git repositories for tests, made and read with the git command line. */
public final class GitFixture {
    private GitFixture() {}

    /**
     * A bare repository at {@code dir} whose {@code main} has one commit with the given files: what a team's
     * origin looks like to Agentry.
     */
    public static Path origin(Path dir, String... pathsAndContents) {
        Path seed = dir.resolveSibling(dir.getFileName() + "-seed");
        git(dir.getParent(), "init", "-q", "--bare", "-b", "main", dir.toString());
        git(dir.getParent(), "init", "-q", "-b", "main", seed.toString());
        try {
            for (int i = 0; i < pathsAndContents.length; i += 2) {
                Path file = seed.resolve(pathsAndContents[i]);
                Files.createDirectories(file.getParent());
                Files.writeString(file, pathsAndContents[i + 1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(seed, "add", "-A");
        git(seed, "commit", "-q", "-m", "Initial commit");
        git(seed, "push", "-q", dir.toString(), "main");
        return dir;
    }

    /** Runs git in {@code dir} and returns what it printed; fails the test if git fails. */
    public static String git(Path dir, String... args) {
        var command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("GIT_AUTHOR_NAME", "Test");
        builder.environment().put("GIT_AUTHOR_EMAIL", "test@example.com");
        builder.environment().put("GIT_COMMITTER_NAME", "Test");
        builder.environment().put("GIT_COMMITTER_EMAIL", "test@example.com");
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " failed in " + dir + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
