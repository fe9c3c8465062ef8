package dev.agentry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The terminal view of {@code agentry watch}: kept from a snapshot and the events after it, 80 columns wide. */
class FleetViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FleetView view = new FleetView("default");

    private void apply(String json) throws Exception {
        view.apply(JSON.readTree(json));
    }

    private String screen() {
        var lines = view.render(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(lines).allSatisfy(l -> assertThat(FleetView.width(l)).as(l).isLessThanOrEqualTo(FleetView.WIDTH));
        return String.join("\n", lines);
    }

    @Test
    void an_empty_workspace_says_what_to_do_next() {
        assertThat(screen()).contains("Nothing in flight. Start a run: agentry run PIPELINE");
    }

    @Test
    void a_snapshot_then_events_keep_runs_steps_decisions_and_attention_current() throws Exception {
        apply("""
                {"id": 10, "type": "snapshot", "data": {"position": 10,
                  "runs": [{"id": 7, "pipeline": "release", "status": "needs-you",
                            "steps": [{"id": "build", "status": "succeeded", "attempts": 2},
                                      {"id": "approve", "status": "waiting", "attempts": 0},
                                      {"id": "ship", "status": "pending", "attempts": 0}]}],
                  "decisions": [{"id": 3, "run": 7, "step": "approve", "prompt": "Ship it?"}],
                  "attention": []}}""");
        assertThat(screen()).contains("1 in flight, 1 waiting for you, 0 attention")
                .containsPattern("7 +release +needs-you +build✓×2 approve⏸ ship·")
                .contains("#3     run 7 approve: Ship it?");

        apply("{\"id\": 11, \"type\": \"decision.answered\", \"run\": 7, \"step\": \"approve\", \"data\": {\"decision\": 3, \"outcome\": \"approved\"}}");
        apply("{\"id\": 12, \"type\": \"run.resumed\", \"run\": 7, \"data\": {}}");
        apply("{\"id\": 13, \"type\": \"step.started\", \"run\": 7, \"step\": \"ship\", \"attempt\": 1, \"data\": {}}");
        apply("{\"id\": 14, \"type\": \"attention.raised\", \"run\": 7, \"step\": \"ship\", \"data\": {\"id\": 5, \"kind\": \"stalled\", \"summary\": \"step ship of run 7 has shown no sign of life for 5m\"}}");
        assertThat(screen()).contains("0 waiting for you, 1 attention", "[default, log 14]")
                .containsPattern("7 +release +running +build✓×2 approve⏸ ship▶")
                .contains("#5     stalled: step ship of run 7 has shown no sign of life for 5m");

        apply("{\"id\": 15, \"type\": \"attention.resolved\", \"run\": 7, \"step\": \"ship\", \"data\": {\"id\": 5}}");
        apply("{\"id\": 16, \"type\": \"step.succeeded\", \"run\": 7, \"step\": \"ship\", \"attempt\": 1, \"data\": {}}");
        apply("{\"id\": 17, \"type\": \"run.succeeded\", \"run\": 7, \"data\": {}}");
        assertThat(screen()).contains("0 in flight, 0 waiting for you, 0 attention")
                .as("a finished run stays in view for a while").containsPattern("7 +release +succeeded +build✓×2 approve⏸ ship✓")
                .doesNotContain("stalled:");
    }

    @Test
    void a_run_queued_while_watching_shows_its_steps_in_the_pipelines_order_with_those_ahead_pending() throws Exception {
        apply("{\"id\": 1, \"type\": \"snapshot\", \"data\": {\"position\": 1, \"runs\": [], \"decisions\": [], \"attention\": []}}");
        apply("{\"id\": 2, \"type\": \"run.queued\", \"run\": 9, \"data\": {\"pipeline\": \"fan\"}}");
        apply("{\"id\": 3, \"type\": \"run.started\", \"run\": 9, \"data\": {}}");
        apply("{\"id\": 4, \"type\": \"step.started\", \"run\": 9, \"step\": \"right\", \"attempt\": 1, \"data\": {}}");
        view.plan(9, java.util.List.of("left", "right", "join"));
        assertThat(screen()).containsPattern("9 +fan +running +left· right▶ join·");

        apply("{\"id\": 5, \"type\": \"step.started\", \"run\": 9, \"step\": \"left\", \"attempt\": 1, \"data\": {}}");
        assertThat(screen()).as("events keep the pipeline's order").containsPattern("9 +fan +running +left▶ right▶ join·");
        view.plan(404, java.util.List.of("nothing"));
        assertThat(screen()).as("a run the view does not show stays unshown").doesNotContain("404");
    }

    @Test
    void a_view_is_redrawn_in_place_row_by_row_and_only_the_first_clears_the_screen() {
        String full = "x".repeat(FleetView.WIDTH);
        assertThat(FleetView.frame(java.util.List.of("header", "", full), true))
                .isEqualTo("\033[H\033[2J\033[1;1Hheader\033[K\033[2;1H\033[K\033[3;1H" + full + "\033[4;1H\033[J");
        assertThat(FleetView.frame(java.util.List.of("header"), false))
                .as("no clearing, so nothing scrolls into the scrollback and the screen is never blank")
                .isEqualTo("\033[1;1Hheader\033[K\033[2;1H\033[J").doesNotContain("\n");
    }

    @Test
    void a_prompt_reaches_the_terminal_as_text_in_the_columns_it_takes() throws Exception {
        String wide = "本番環境にデプロイしますか".repeat(4);
        apply("""
                {"id": 1, "type": "snapshot", "data": {"position": 1, "runs": [],
                  "decisions": [{"id": 1, "run": 1, "step": "ask", "prompt": "%s"},
                                {"id": 2, "run": 2, "step": "ask", "prompt": "ok\\u001b[2J\\u001b]2;pwned\\u0007\\u009b1m\\tthen\\u202e tab"},
                                {"id": 3, "run": 3, "step": "ask", "prompt": "%s"}],
                  "attention": []}}""".formatted(wide, "é🚀".repeat(40)));
        var lines = view.render(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(lines).allSatisfy(l -> assertThat(FleetView.width(l)).as(l).isLessThanOrEqualTo(FleetView.WIDTH));
        assertThat(lines).as("no control character reaches the terminal")
                .allSatisfy(l -> assertThat(l.codePoints()).noneMatch(c -> Character.getType(c) == Character.CONTROL));
        assertThat(lines).contains("  #2     run 2 ask: ok?[2J?]2;pwned??1m then tab");
        String cut = lines.stream().filter(l -> l.startsWith("  #1 ")).findFirst().orElseThrow();
        assertThat(cut).as("two columns a character: cut at 80 columns, not at 80 characters")
                .startsWith("  #1     run 1 ask: 本番環境").endsWith("…").hasSizeLessThan(FleetView.WIDTH);
        assertThat(FleetView.width(cut)).isBetween(FleetView.WIDTH - 1, FleetView.WIDTH);
        String emoji = lines.stream().filter(l -> l.startsWith("  #3 ")).findFirst().orElseThrow();
        assertThat(emoji).as("never half a surrogate pair").endsWith("…").doesNotContain("\uFFFD")
                .satisfies(l -> assertThat(l.codePoints()).noneMatch(c -> c >= 0xD800 && c <= 0xDFFF));
    }

    @Test
    void a_long_workspace_name_is_cut_in_the_header_and_the_log_position_stays() throws Exception {
        var named = new FleetView("a-workspace-whose-name-is-long-enough-to-crowd-the-header-out");
        named.apply(JSON.readTree("{\"id\": 123456, \"type\": \"snapshot\", \"data\": {\"runs\": [], \"decisions\": [], \"attention\": []}}"));
        String header = named.render(Instant.parse("2026-11-21T10:00:00Z")).get(0);
        assertThat(FleetView.width(header)).isLessThanOrEqualTo(FleetView.WIDTH);
        assertThat(header).matches("\\d\\d:\\d\\d:\\d\\d  0 in flight, 0 waiting for you, 0 attention  \\[a-workspac…, log 123456]");
    }

    @Test
    void a_crowded_workspace_fits_the_height_and_keeps_what_waits_for_a_person_in_view() throws Exception {
        var runs = new StringBuilder();
        var decisions = new StringBuilder();
        var attention = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            String comma = i == 1 ? "" : ",";
            runs.append(comma).append("{\"id\": ").append(i).append(", \"pipeline\": \"hold\", \"status\": \"needs-you\", \"steps\": []}");
            decisions.append(comma).append("{\"id\": ").append(100 + i).append(", \"run\": ").append(i).append(", \"step\": \"ask\", \"prompt\": \"Go?\"}");
            attention.append(comma).append("{\"id\": ").append(200 + i).append(", \"type\": \"stalled\", \"run\": ").append(i)
                    .append(", \"summary\": \"quiet\"}");
        }
        apply("{\"id\": 1, \"type\": \"snapshot\", \"data\": {\"runs\": [" + runs + "], \"decisions\": [" + decisions
                + "], \"attention\": [" + attention + "]}}");
        var lines = view.render(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(lines).hasSize(FleetView.HEIGHT);
        assertThat(lines.get(0)).contains(" 30 in flight, 30 waiting for you, 30 attention");
        assertThat(lines).contains("… and 25 more in flight: agentry runs list", "  #105   run 5 ask: Go?", "  … and 25 more: agentry decisions list",
                "  #203   stalled: quiet", "  … and 27 more: agentry attention list");
        assertThat(lines).filteredOn(l -> l.startsWith("  #1")).hasSize(5);

        apply("{\"id\": 2, \"type\": \"snapshot\", \"data\": {\"runs\": [" + runs + "], \"decisions\": [], \"attention\": []}}");
        lines = view.render(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(lines).hasSize(FleetView.HEIGHT).endsWith("… and 11 more in flight: agentry runs list");
    }

    @Test
    void a_canceled_run_no_longer_waits_for_anyone() throws Exception {
        apply("""
                {"id": 1, "type": "snapshot", "data": {"position": 1,
                  "runs": [{"id": 7, "pipeline": "hold", "status": "needs-you", "steps": [{"id": "ask", "status": "waiting", "attempts": 0}]},
                           {"id": 8, "pipeline": "hold", "status": "needs-you", "steps": [{"id": "ask", "status": "waiting", "attempts": 0}]}],
                  "decisions": [{"id": 3, "run": 7, "step": "ask", "prompt": "Let it go?"}, {"id": 4, "run": 8, "step": "ask", "prompt": "Let it go?"}],
                  "attention": []}}""");
        apply("{\"id\": 2, \"type\": \"step.canceled\", \"run\": 7, \"step\": \"ask\", \"data\": {}}");
        apply("{\"id\": 3, \"type\": \"run.canceled\", \"run\": 7, \"data\": {}}");
        assertThat(screen()).contains("1 in flight, 1 waiting for you").containsPattern("7 +hold +canceled +ask-")
                .contains("#4     run 8").doesNotContain("#3 ");
    }

    @Test
    void what_the_stream_says_about_itself_shows_under_the_header_until_the_next_event() throws Exception {
        apply("{\"id\": 4, \"type\": \"snapshot\", \"data\": {\"runs\": [], \"decisions\": [], \"attention\": []}}");
        view.notice("lost the event stream (closed); reconnecting to resume after event 4");
        assertThat(view.render(Instant.now()).get(1)).isEqualTo("! lost the event stream (closed); reconnecting to resume after event 4");
        view.notice("lost the event stream (" + "a reason that goes on ".repeat(5) + "); reconnecting");
        assertThat(screen().lines().skip(1).findFirst().orElseThrow()).startsWith("! lost the event stream (a reason").endsWith("…");
        apply("{\"id\": 5, \"type\": \"run.queued\", \"run\": 9, \"data\": {\"pipeline\": \"fan\"}}");
        assertThat(view.render(Instant.now()).get(1)).isEmpty();
    }

    @Test
    void long_names_and_prompts_are_cut_to_the_width_not_wrapped() throws Exception {
        apply("""
                {"id": 1, "type": "snapshot", "data": {"position": 1,
                  "runs": [{"id": 1, "pipeline": "a-pipeline-with-a-very-long-name", "status": "running",
                            "steps": [{"id": "step-with-a-long-name-one", "status": "running", "attempts": 1},
                                      {"id": "step-with-a-long-name-two", "status": "pending", "attempts": 0},
                                      {"id": "step-with-a-long-name-three", "status": "pending", "attempts": 0}]}],
                  "decisions": [{"id": 1, "run": 1, "step": "s", "prompt": "a prompt\\nwith lines that goes on and on and on and on and on and on and on"}],
                  "attention": []}}""");
        assertThat(screen()).contains("a-pipeline-with…", "…").doesNotContain("with lines\n");
    }
}
