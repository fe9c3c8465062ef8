package dev.agentry.agents.builtin;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A command policy from patterns such as {@code git status}, {@code mvn *} or {@code sh test.sh}. Words must match
 * exactly (runs of spaces count as one); {@code *} stands for any text without shell operators. Commands that chain,
 * pipe, redirect or substitute ({@code ; & | < > $ ` ( )} or a newline) are refused whatever the patterns say,
 * because {@code sh -c} would run the part no pattern allowed.
 */
public final class CommandAllowList implements CommandPolicy {
    private static final Pattern OPERATORS = Pattern.compile("[;&|<>$`()\\n\\r]");

    private final List<String> patterns;
    private final List<Pattern> compiled;

    public CommandAllowList(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.compiled = this.patterns.stream().map(CommandAllowList::compile).toList();
    }

    @Override
    public Verdict check(String command) {
        if (command == null || command.isBlank()) {
            return Verdict.deny("the command is empty");
        }
        var operator = OPERATORS.matcher(command);
        if (operator.find()) {
            String found = operator.group().equals("\n") || operator.group().equals("\r") ? "a newline" : operator.group();
            return Verdict.deny("shell operators are not allowed (found " + found + "); run one command at a time");
        }
        String normal = normalise(command);
        for (int i = 0; i < compiled.size(); i++) {
            if (compiled.get(i).matcher(normal).matches()) {
                return Verdict.allow("allowed by \"" + patterns.get(i) + "\"");
            }
        }
        return Verdict.deny(patterns.isEmpty() ? "no commands are allowed for this agent"
                : "not in the allow-list; allowed: " + String.join(", ", patterns));
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String literal : normalise(pattern).split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^;&|<>$`()\\n\\r]*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString());
    }

    private static String normalise(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
