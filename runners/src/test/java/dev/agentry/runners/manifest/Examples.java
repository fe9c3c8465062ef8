package dev.agentry.runners.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The shipped example manifests, read from the repository's examples/pools. */
final class Examples {
    static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost");

    private Examples() {}

    static Path dir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples/pools");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/pools not found above " + here);
    }

    static String read(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example with its baseUrl pointed at a local stub, as a deployment would point it at its own scheduler. */
    static Manifest pointedAt(String name, String baseUrl) {
        String source = read(name).replaceFirst("(?m)^baseUrl: .*$", "baseUrl: " + baseUrl);
        return ManifestParser.parse(source, LOOPBACK);
    }
}
