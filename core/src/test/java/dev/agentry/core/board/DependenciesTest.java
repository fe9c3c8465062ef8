package dev.agentry.core.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependenciesTest {
    private static final Map<Long, String> NAMES = Map.of(1L, "a", 2L, "b", 3L, "c", 4L, "d", 5L, "e");

    private static String name(long id) {
        return NAMES.get(id);
    }

    @Test
    void tasks_are_layered_so_that_each_depends_only_on_earlier_layers() {
        // d depends on b and c, which both depend on a; e stands alone
        var deps = new Dependencies(Map.of(2L, List.of(1L), 3L, List.of(1L), 4L, List.of(2L, 3L)));

        assertThat(deps.layers(List.of(4L, 3L, 2L, 1L, 5L), DependenciesTest::name))
                .containsExactly(List.of(1L, 5L), List.of(2L, 3L), List.of(4L));
    }

    @Test
    void dependencies_outside_the_planned_set_do_not_hold_a_task_back_in_the_layers() {
        var deps = new Dependencies(Map.of(2L, List.of(1L), 3L, List.of(2L)));

        assertThat(deps.layers(List.of(2L, 3L), DependenciesTest::name)).containsExactly(List.of(2L), List.of(3L));
    }

    @Test
    void an_edge_that_closes_a_cycle_is_refused_naming_the_cycle() {
        // a depends on b, b on c: c depending on a would close a → b → c → a
        var deps = new Dependencies(Map.of(1L, List.of(2L), 2L, List.of(3L)));

        assertThatThrownBy(() -> deps.checkEdge(3L, 1L, DependenciesTest::name))
                .isInstanceOf(BoardRefused.class)
                .hasMessage("this edge would make a cycle: c → a → b → c");
        deps.checkEdge(1L, 3L, DependenciesTest::name); // a shortcut is no cycle
    }

    @Test
    void a_block_cannot_depend_on_itself() {
        assertThatThrownBy(() -> new Dependencies(Map.of()).checkEdge(2L, 2L, DependenciesTest::name))
                .hasMessage("a block cannot depend on itself (b)");
    }

    @Test
    void planning_tasks_that_depend_on_each_other_in_a_cycle_names_the_cycle() {
        var deps = new Dependencies(Map.of(1L, List.of(2L), 2L, List.of(3L), 3L, List.of(1L)));

        assertThatThrownBy(() -> deps.layers(List.of(1L, 2L, 3L, 4L), DependenciesTest::name))
                .isInstanceOf(BoardRefused.class)
                .hasMessage("these tasks depend on each other in a cycle: a → b → c → a");
    }

    @Test
    void a_parent_of_the_wrong_kind_is_refused_naming_what_is_allowed() {
        assertThatThrownBy(() -> BlockKind.MODULE.checkParent(BlockKind.TASK))
                .hasMessage("a module must sit under a service, not under a task");
        assertThatThrownBy(() -> BlockKind.TASK.checkParent(null))
                .hasMessage("a task must sit under a service or a module; it has no parent");
        assertThatThrownBy(() -> BlockKind.SERVICE.checkParent(BlockKind.TASK))
                .hasMessage("a service sits at the top of the board and has no parent, not a task");
        BlockKind.TASK.checkParent(BlockKind.SERVICE);
    }
}
