package dev.agentry.agents.builtin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real git repositories for tests, made with the git command line. */
final class GitRepos {
    private GitRepos() {}

    /** A repository at {@code dir} whose first commit holds {@code files}. */
    static Path create(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        git(dir, "init", "-q", "-b", "main");
        for (var file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "start");
        return dir;
    }

    static Path cloneOf(Path origin, Path dir) {
        git(origin.getParent(), "clone", "-q", origin.toString(), dir.toString());
        return dir;
    }

    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        return exec(dir, command);
    }

    /** Runs {@code sh -c command} in dir and answers its exit code and output. */
    static String sh(Path dir, String command) {
        return exec(dir, List.of("sh", "-c", command + "; echo \"exit=$?\""));
    }

    private static String exec(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
