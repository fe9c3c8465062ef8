package dev.agentry.server.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A definition the CLI sends as written: a file, or {@code -} for standard input; YAML unless it ends in .json. */
record SourceFile(String text, String contentType) {
    static SourceFile read(String file) {
        String text;
        try {
            text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ApiClient.Failure("no such file: " + file, 2);
        } catch (CharacterCodingException e) {
            throw new ApiClient.Failure(file + " is not UTF-8 text", 2);
        } catch (IOException e) { // a directory, no permission
            throw new ApiClient.Failure("cannot read " + file + ": " + e.getMessage(), 2);
        }
        return new SourceFile(text, file.endsWith(".json") ? "application/json" : "application/yaml");
    }
}
