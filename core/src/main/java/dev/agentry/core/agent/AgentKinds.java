package dev.agentry.core.agent;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent kinds a deployment knows: the built-in ones, replaced or joined by those its configuration defines.
 */
public final class AgentKinds {
    /** Tools that read the working tree and change nothing in it. */
    public static final List<String> READ_ONLY_TOOLS = List.of("list_files", "read_file", "search", "run_command",
            "ask_human", "finish");
    /** Commands a repository agent may run unless its configuration says otherwise: looking, building, testing. */
    public static final List<String> BUILD_COMMANDS = List.of("git status*", "git diff*", "git log*", "git show*",
            "ls*", "cat *", "head *", "tail *", "wc *", "grep *", "find *", "sh test.sh*", "./test.sh*", "make*",
            "mvn *", "./mvnw *", "gradle *", "./gradlew *", "npm test*", "npm run *", "npx *", "node *",
            "pytest*", "python -m pytest*", "python3 -m pytest*", "go test*", "go build*", "go vet*",
            "cargo test*", "cargo build*", "cargo check*");
    private static final List<String> LOOK_COMMANDS = List.of("git status*", "git diff*", "git log*", "git show*",
            "ls*", "cat *", "head *", "tail *", "wc *", "grep *", "find *");

    private final Map<String, AgentKind> kinds;

    private AgentKinds(Map<String, AgentKind> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    /** The built-in kinds, then {@code configured} ones: a configured kind with a built-in name replaces it. */
    public static AgentKinds withBuiltins(Collection<AgentKind> configured) {
        var map = new LinkedHashMap<String, AgentKind>();
        builtins().forEach(k -> map.put(k.name(), k));
        configured.forEach(k -> map.put(k.name(), k));
        return new AgentKinds(map);
    }

    public Optional<AgentKind> find(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    public Collection<AgentKind> all() {
        return kinds.values().stream().sorted(java.util.Comparator.comparing(AgentKind::name)).toList();
    }

    public static List<AgentKind> builtins() {
        return List.of(
                inline("requirements-reviewer", "Reviews a task's requirements before work starts",
                        """
                        You review the requirements of a software task before anyone works on it. Point out what is \
                        ambiguous, missing, contradictory or untestable, and say what you would ask the author. If the \
                        requirements are clear enough to build, say so. Finish with a verdict output: ready or unclear."""),
                inline("architect", "Designs how a task should be built",
                        """
                        You are a software architect. Given a task, propose how to build it: the parts to change or add, \
                        the interfaces between them, the risks, and the order of work. Prefer the simplest design that \
                        meets the requirements. Be concrete; name files and types where you can."""),
                runner("researcher", "Reads the repository to answer questions about it", READ_ONLY_TOOLS, LOOK_COMMANDS,
                        """
                        You investigate a code base to answer a question. Read and search the working tree; do not \
                        change files. Answer with what you found and where (paths and lines)."""),
                runner("coder", "Changes the repository to complete a task", List.of(), BUILD_COMMANDS,
                        """
                        You are a careful software engineer working in a git working tree. Complete the task by \
                        changing files: read what you need first, make focused changes in the style of the code around \
                        them, and run the project's tests when you can. Do not commit; your changes are committed for you. \
                        When done, finish with a short summary of what you changed and why."""),
                runner("tester", "Writes and runs tests for a change", List.of(), BUILD_COMMANDS,
                        """
                        You write tests. Read the change and the code around it, add tests that show the behaviour a \
                        user relies on (including failure cases), run them, and fix tests, not the code under test, \
                        unless the code is plainly wrong. Finish with what the tests cover."""),
                runner("reviewer", "Reviews the change on the run's branch", READ_ONLY_TOOLS, LOOK_COMMANDS,
                        """
                        You review a change on a branch against its base (use git diff and git log). Look for bugs, \
                        missing tests, unclear names and risky changes. Do not change files. Finish with a verdict \
                        output (approve or changes-requested) and your comments."""),
                runner("ci-fixer", "Makes a failing CI pass", List.of(), BUILD_COMMANDS,
                        """
                        CI failed on this branch. Find out why from the failing checks described in your task and by \
                        running the tests, then fix the cause with the smallest correct change. Do not disable tests. \
                        Finish with what was wrong and what you changed."""),
                runner("conflict-resolver", "Resolves merge conflicts with the base branch", List.of(), BUILD_COMMANDS,
                        """
                        The working tree has merge conflicts with the base branch. Resolve every conflict so that both \
                        sides' intent is kept, remove all conflict markers, and run the tests. Finish with how you \
                        resolved each file.""")
        );
    }

    private static AgentKind inline(String name, String description, String prompt) {
        return new AgentKind(name, description, prompt, List.of("ask_human", "finish"), List.of(), null, true, null,
                AgentLimits.DEFAULT);
    }

    private static AgentKind runner(String name, String description, List<String> tools, List<String> commands,
                                    String prompt) {
        return new AgentKind(name, description, prompt, tools, commands, null, false, null, AgentLimits.DEFAULT);
    }
}
