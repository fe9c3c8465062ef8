package dev.agentry.server.work;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes {@code <work>/bin/agentry}: a script that runs this very Agentry (the same Java, the same class path),
 * so jobs on this machine's pools start the built-in agent as {@code "$AGENTRY_BIN" agent} whether Agentry
 * runs from its jar or from a build tree.
 */
public final class AgentryLauncher {
    private AgentryLauncher() {}

    public static Path write(Path work) {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        // A short-lived process: start fast and stay small rather than peak.
        String script = "#!/bin/sh\nexec " + quote(javaBin) + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -cp "
                + quote(classPath) + " dev.agentry.server.Main \"$@\"\n";
        try {
            Path bin = work.resolve("bin");
            Files.createDirectories(bin);
            Path launcher = bin.resolve("agentry");
            Path tmp = bin.resolve("agentry.tmp");
            Files.writeString(tmp, script, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, launcher, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return launcher;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the agent launcher under " + work + ": " + e.getMessage(), e);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
