package dev.agentry.core.board;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** What a block is on the board, and which kinds of block it may sit under. */
public enum BlockKind {
    SERVICE(Set.of()),
    MODULE(Set.of("service")),
    TASK(Set.of("module", "service"));

    private final Set<String> parents;

    BlockKind(Set<String> parents) {
        this.parents = parents;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static BlockKind fromWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wireName().equals(s)).findFirst()
                .orElseThrow(() -> new BoardRefused(BoardRefused.Reason.INVALID, "kind",
                        "'" + s + "' is not a block kind; use service, module or task"));
    }

    /** Refuses {@code parent} (null: none) as this kind's parent, naming what is allowed. */
    public void checkParent(BlockKind parent) {
        if (this == SERVICE) {
            if (parent != null) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "parent",
                        "a service sits at the top of the board and has no parent, not a " + parent.wireName());
            }
            return;
        }
        if (parent == null || !parents.contains(parent.wireName())) {
            String allowed = parents.stream().sorted(java.util.Comparator.reverseOrder()).collect(Collectors.joining(" or a "));
            throw new BoardRefused(BoardRefused.Reason.INVALID, "parent", "a " + wireName() + " must sit under a " + allowed
                    + (parent == null ? "; it has no parent" : ", not under a " + parent.wireName()));
        }
    }
}
