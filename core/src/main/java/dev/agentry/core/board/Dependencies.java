package dev.agentry.core.board;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * The dependency graph of a board: {@code dependsOn.get(a)} holds every block {@code a} depends on. Pure: the
 * stores hand it the edges they read inside their transaction, and it answers or refuses.
 */
public final class Dependencies {
    private final Map<Long, Set<Long>> dependsOn;

    public Dependencies(Map<Long, ? extends Collection<Long>> dependsOn) {
        var copy = new HashMap<Long, Set<Long>>();
        dependsOn.forEach((k, v) -> copy.put(k, new TreeSet<>(v)));
        this.dependsOn = copy;
    }

    public Set<Long> of(long block) {
        return dependsOn.getOrDefault(block, Set.of());
    }

    /**
     * Refuses the edge {@code from} depends on {@code to} when it would close a cycle, naming the cycle
     * ({@code a → b → c → a}) with {@code name}.
     */
    public void checkEdge(long from, long to, LongFunction<String> name) {
        if (from == to) {
            throw new BoardRefused(BoardRefused.Reason.INVALID, "dependsOn", "a block cannot depend on itself ("
                    + name.apply(from) + ")");
        }
        List<Long> path = path(to, from);
        if (path != null) {
            var cycle = new ArrayList<Long>();
            cycle.add(from);
            cycle.addAll(path);
            throw new BoardRefused(BoardRefused.Reason.CONFLICT, "dependsOn", "this edge would make a cycle: "
                    + spell(cycle, name));
        }
    }

    /** A path along dependency edges from {@code start} to {@code goal}, both included, or null. */
    private List<Long> path(long start, long goal) {
        var cameFrom = new HashMap<Long, Long>();
        var queue = new ArrayDeque<Long>();
        queue.add(start);
        cameFrom.put(start, start);
        while (!queue.isEmpty()) {
            long at = queue.poll();
            if (at == goal) {
                var path = new ArrayList<Long>();
                for (long b = goal; b != start; b = cameFrom.get(b)) {
                    path.add(0, b);
                }
                path.add(0, start);
                return path;
            }
            for (long next : of(at)) {
                if (cameFrom.putIfAbsent(next, at) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }

    /**
     * The given tasks in layers: each layer depends only on earlier ones (edges to blocks outside {@code tasks}
     * are ignored here). Refuses a set whose edges make a cycle, naming it.
     */
    public List<List<Long>> layers(Collection<Long> tasks, LongFunction<String> name) {
        var remaining = new LinkedHashSet<>(new TreeSet<>(tasks));
        var layers = new ArrayList<List<Long>>();
        while (!remaining.isEmpty()) {
            var layer = remaining.stream()
                    .filter(t -> of(t).stream().filter(remaining::contains).findAny().isEmpty())
                    .toList();
            if (layer.isEmpty()) {
                throw new BoardRefused(BoardRefused.Reason.INVALID, "tasks", "these tasks depend on each other in a cycle: "
                        + spell(cycleAmong(remaining), name));
            }
            layers.add(layer);
            layer.forEach(remaining::remove);
        }
        return layers;
    }

    /** One cycle among {@code blocks}, every one of which depends on another of them. */
    private List<Long> cycleAmong(Set<Long> blocks) {
        var seen = new ArrayList<Long>();
        long at = blocks.iterator().next();
        while (!seen.contains(at)) {
            seen.add(at);
            at = of(at).stream().filter(blocks::contains).findFirst().orElseThrow();
        }
        var cycle = new ArrayList<>(seen.subList(seen.indexOf(at), seen.size()));
        cycle.add(at);
        return cycle;
    }

    private static String spell(List<Long> cycle, LongFunction<String> name) {
        return cycle.stream().map(name::apply).collect(Collectors.joining(" → "));
    }
}
