package dev.agentry.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where the CLI keeps its API token: {@code AGENTRY_TOKEN} wins; otherwise the file {@code agentry login} wrote,
 * {@code $AGENTRY_CONFIG_DIR/token} (default {@code ~/.config/agentry/token}), readable by its owner only.
 */
final class Credentials {
    private Credentials() {}

    static Path file(Map<String, String> env) {
        String dir = env.get("AGENTRY_CONFIG_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir, "token");
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("agentry").resolve("token");
    }

    /** The token to send, or null when there is none. */
    static String token(Map<String, String> env) {
        String fromEnv = env.get("AGENTRY_TOKEN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        Path file = file(env);
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Saves the token with mode 0600 in a directory only its owner can enter; replaces any earlier one. */
    static Path save(Map<String, String> env, String token) throws IOException {
        Path file = file(env);
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = dir.resolve("token.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
