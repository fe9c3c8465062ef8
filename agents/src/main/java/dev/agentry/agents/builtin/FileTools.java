package dev.agentry.agents.builtin;

import static dev.agentry.agents.builtin.ToolInput.optionalInt;
import static dev.agentry.agents.builtin.ToolInput.optionalText;
import static dev.agentry.agents.builtin.ToolInput.required;
import static dev.agentry.agents.builtin.ToolInput.requiredText;
import static dev.agentry.agents.builtin.ToolInput.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.agents.builtin.AgentTool.Output;
import dev.agentry.agents.builtin.AgentTool.Refused;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The tools that read and change files in the working tree. */
final class FileTools {
    static final int MAX_LIST_ENTRIES = 1000;
    static final int DEFAULT_READ_LINES = 2000;
    static final int MAX_LINE_CHARS = 2000;
    static final int MAX_READ_CHARS = 100_000;
    static final int MAX_MATCHES = 200;
    static final long MAX_SEARCHED_FILE_BYTES = 2_000_000;

    private FileTools() {}

    static List<AgentTool> all(WorkTree tree) {
        return List.of(new ListFiles(tree), new ReadFile(tree), new Search(tree), new WriteFile(tree), new EditFile(tree));
    }

    record ListFiles(WorkTree tree) implements AgentTool {
        public String name() {
            return "list_files";
        }

        public String description() {
            return "List files and directories under a path of the working tree (directories end with /).";
        }

        public JsonNode inputSchema() {
            return schema(required(), "path", "string", "directory relative to the tree root; default the root",
                    "depth", "integer", "how many levels to descend, 1-10; default 2");
        }

        public Output execute(JsonNode input) {
            Path start = tree.resolve(optionalText(input, "path", "."));
            int depth = optionalInt(input, "depth", 2, 1, 10);
            if (!Files.isDirectory(start)) {
                throw new Refused(optionalText(input, "path", ".") + " is not a directory");
            }
            List<String> entries = new ArrayList<>();
            try {
                Files.walkFileTree(start, java.util.Set.of(), depth, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (WorkTree.isGitDir(dir)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        if (!dir.equals(start)) {
                            entries.add(tree.show(dir) + "/");
                        }
                        return entries.size() > MAX_LIST_ENTRIES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (WorkTree.isGitDir(file)) {
                            return FileVisitResult.CONTINUE;
                        }
                        entries.add(tree.show(file) + (attrs.isDirectory() ? "/" : ""));
                        return entries.size() > MAX_LIST_ENTRIES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new Refused("cannot list " + tree.show(start) + ": " + e.getMessage());
            }
            boolean cut = entries.size() > MAX_LIST_ENTRIES;
            List<String> shown = entries.stream().sorted().limit(MAX_LIST_ENTRIES).toList();
            String text = shown.isEmpty() ? "(empty)" : String.join("\n", shown);
            return Output.ok(cut ? text + "\n(listing cut at " + MAX_LIST_ENTRIES + " entries; list a subdirectory)" : text);
        }
    }

    record ReadFile(WorkTree tree) implements AgentTool {
        public String name() {
            return "read_file";
        }

        public String description() {
            return "Read a text file of the working tree, with line numbers. Use offset and limit for long files.";
        }

        public JsonNode inputSchema() {
            return schema(required("path"), "path", "string", "file relative to the tree root",
                    "offset", "integer", "first line to read, from 1; default 1",
                    "limit", "integer", "how many lines to read; default " + DEFAULT_READ_LINES);
        }

        public Output execute(JsonNode input) {
            String given = requiredText(input, "path");
            Path file = tree.resolve(given);
            int offset = optionalInt(input, "offset", 1, 1, Integer.MAX_VALUE);
            int limit = optionalInt(input, "limit", DEFAULT_READ_LINES, 1, 10_000);
            if (!Files.isRegularFile(file)) {
                throw new Refused(given + " is not a file");
            }
            if (WorkTree.looksBinary(file)) {
                throw new Refused(given + " is a binary file");
            }
            StringBuilder out = new StringBuilder();
            int number = 0;
            int last = 0;
            boolean cut = false;
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = readLine(reader)) != null) {
                    number++;
                    if (number < offset || number >= offset + limit || cut) {
                        continue;
                    }
                    if (line.length() > MAX_LINE_CHARS) {
                        line = line.substring(0, MAX_LINE_CHARS) + " …(line cut)";
                    }
                    if (out.length() + line.length() > MAX_READ_CHARS) {
                        cut = true;
                        continue;
                    }
                    out.append(number).append('\t').append(line).append('\n');
                    last = number;
                }
            } catch (IOException e) {
                throw new Refused("cannot read " + given + ": " + e.getMessage());
            }
            if (number == 0) {
                return Output.ok("(empty file)");
            }
            if (last == 0) {
                throw new Refused(given + " has " + number + " lines; offset " + offset + " is past the end");
            }
            out.append("(lines ").append(offset).append('-').append(last).append(" of ").append(number);
            out.append(cut ? "; output cut at " + MAX_READ_CHARS + " characters, read on with offset " + (last + 1) + ")" : ")");
            return Output.ok(out.toString());
        }

        private static String readLine(BufferedReader reader) throws IOException {
            try {
                return reader.readLine();
            } catch (java.nio.charset.MalformedInputException e) {
                throw new Refused("the file is not UTF-8 text");
            }
        }
    }

    record Search(WorkTree tree) implements AgentTool {
        public String name() {
            return "search";
        }

        public String description() {
            return "Search text files of the working tree for a Java regular expression; answers path:line: text.";
        }

        public JsonNode inputSchema() {
            return schema(required("pattern"), "pattern", "string", "a Java regular expression, matched per line",
                    "path", "string", "file or directory to search; default the root");
        }

        public Output execute(JsonNode input) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(requiredText(input, "pattern"));
            } catch (PatternSyntaxException e) {
                throw new Refused("pattern is not a valid regular expression: " + e.getDescription());
            }
            Path start = tree.resolve(optionalText(input, "path", "."));
            if (!Files.exists(start)) {
                throw new Refused(optionalText(input, "path", ".") + " does not exist");
            }
            List<String> matches = new ArrayList<>();
            try {
                Files.walkFileTree(start, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return WorkTree.isGitDir(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && attrs.size() <= MAX_SEARCHED_FILE_BYTES && !WorkTree.looksBinary(file)) {
                            searchFile(file, pattern, matches);
                        }
                        return matches.size() > MAX_MATCHES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new Refused("cannot search: " + e.getMessage());
            }
            if (matches.isEmpty()) {
                return Output.ok("no matches");
            }
            if (matches.size() > MAX_MATCHES) {
                return Output.ok(String.join("\n", matches.subList(0, MAX_MATCHES)) + "\n(stopped after " + MAX_MATCHES
                        + " matches; narrow the pattern or the path)");
            }
            return Output.ok(String.join("\n", matches));
        }

        private void searchFile(Path file, Pattern pattern, List<String> matches) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null && matches.size() <= MAX_MATCHES) {
                    number++;
                    String candidate = line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) : line;
                    Matcher m = pattern.matcher(candidate);
                    if (m.find()) {
                        String shown = candidate.length() > 300 ? candidate.substring(0, 300) + " …" : candidate;
                        matches.add(tree.show(file) + ":" + number + ": " + shown);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not UTF-8 text or unreadable: not a file the model can search
            }
        }
    }

    record WriteFile(WorkTree tree) implements AgentTool {
        public String name() {
            return "write_file";
        }

        public String description() {
            return "Create or overwrite a file of the working tree with the given content.";
        }

        public JsonNode inputSchema() {
            return schema(required("path", "content"), "path", "string", "file relative to the tree root",
                    "content", "string", "the file's whole new content");
        }

        public Output execute(JsonNode input) {
            String given = requiredText(input, "path");
            String content = requiredText(input, "content");
            Path file = tree.resolve(given);
            if (Files.isDirectory(file)) {
                throw new Refused(given + " is a directory");
            }
            try {
                Files.createDirectories(file.getParent());
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                Files.write(file, bytes);
                return Output.ok("wrote " + bytes.length + " bytes to " + tree.show(file));
            } catch (IOException e) {
                throw new Refused("cannot write " + given + ": " + e.getMessage());
            }
        }
    }

    record EditFile(WorkTree tree) implements AgentTool {
        public String name() {
            return "edit_file";
        }

        public String description() {
            return "Replace one exact occurrence of old_text with new_text in a file. old_text must occur exactly once:"
                    + " include enough surrounding lines to make it unique.";
        }

        public JsonNode inputSchema() {
            return schema(required("path", "old_text", "new_text"), "path", "string", "file relative to the tree root",
                    "old_text", "string", "the exact text to replace, whitespace included",
                    "new_text", "string", "the text to put in its place");
        }

        public Output execute(JsonNode input) {
            String given = requiredText(input, "path");
            String oldText = requiredText(input, "old_text");
            String newText = requiredText(input, "new_text");
            Path file = tree.resolve(given);
            if (oldText.isEmpty()) {
                throw new Refused("old_text must not be empty; use write_file to create a file");
            }
            if (!Files.isRegularFile(file)) {
                throw new Refused(given + " is not a file");
            }
            try {
                String content = Files.readString(file, StandardCharsets.UTF_8);
                int first = content.indexOf(oldText);
                if (first < 0) {
                    throw new Refused("old_text was not found in " + given + "; read the file and copy the text exactly");
                }
                int count = 0;
                for (int at = first; at >= 0; at = content.indexOf(oldText, at + oldText.length())) {
                    count++;
                }
                if (count > 1) {
                    throw new Refused("old_text occurs " + count + " times in " + given + "; include more context to make it unique");
                }
                Files.writeString(file, content.substring(0, first) + newText + content.substring(first + oldText.length()),
                        StandardCharsets.UTF_8);
                return Output.ok("edited " + tree.show(file));
            } catch (java.nio.charset.MalformedInputException e) {
                throw new Refused(given + " is not UTF-8 text");
            } catch (IOException e) {
                throw new Refused("cannot edit " + given + ": " + e.getMessage());
            }
        }
    }
}
