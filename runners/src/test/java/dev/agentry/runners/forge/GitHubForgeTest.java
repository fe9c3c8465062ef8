package dev.agentry.runners.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.Forge.ForgeFailure;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.MergeMethod;
import dev.agentry.core.forge.PullRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GitHub forge against a local server answering as GitHub Enterprise's REST API does. */
class GitHubForgeTest {
    private static final String TOKEN = "ghp_T0k3nThatMustNeverBeShown";
    private static final String HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    private static final String BASE_SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
    private static final String MERGE_SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6";
    private static final ObjectMapper JSON = new ObjectMapper();

    FakeGitHub github;
    GitHubForge forge;
    ForgeRepository repo;

    @BeforeEach
    void start() throws Exception {
        github = new FakeGitHub();
        forge = new GitHubForge(github.api(), HttpClient.newHttpClient());
        // A GitHub Enterprise server's repositories live on the API's host.
        repo = new ForgeRepository("default", "app", "https://127.0.0.1/octo/app.git", "main", TOKEN);
    }

    @AfterEach
    void stop() {
        github.close();
    }

    /** A pull request as GitHub's REST API returns it (fewer fields than the real one, each shaped like it). */
    private String pull(int number, String state, boolean merged, String mergeable) {
        String api = github.api().toString();
        return """
                {
                  "url": "%1$s/repos/octo/app/pulls/%2$d",
                  "id": 1934000%2$d,
                  "node_id": "PR_kwDOABCD1M5zRmWx",
                  "html_url": "https://127.0.0.1/octo/app/pull/%2$d",
                  "diff_url": "https://127.0.0.1/octo/app/pull/%2$d.diff",
                  "issue_url": "%1$s/repos/octo/app/issues/%2$d",
                  "number": %2$d,
                  "state": "%3$s",
                  "locked": false,
                  "title": "Add feature",
                  "user": {"login": "agentry-bot", "id": 583231, "type": "User", "site_admin": false},
                  "body": "Adds a feature.",
                  "created_at": "2025-03-01T10:00:00Z",
                  "updated_at": "2025-03-01T10:05:00Z",
                  "closed_at": %4$s,
                  "merged_at": %4$s,
                  "merge_commit_sha": "%5$s",
                  "assignees": [],
                  "labels": [],
                  "draft": false,
                  "head": {
                    "label": "octo:task/1",
                    "ref": "task/1",
                    "sha": "%6$s",
                    "user": {"login": "octo", "id": 1, "type": "Organization"},
                    "repo": {"id": 1296269, "name": "app", "full_name": "octo/app", "private": true}
                  },
                  "base": {
                    "label": "octo:main",
                    "ref": "main",
                    "sha": "%7$s",
                    "user": {"login": "octo", "id": 1, "type": "Organization"},
                    "repo": {"id": 1296269, "name": "app", "full_name": "octo/app", "private": true}
                  },
                  "author_association": "MEMBER",
                  "merged": %8$s,
                  "mergeable": %9$s,
                  "rebaseable": %9$s,
                  "mergeable_state": "%10$s",
                  "merged_by": null,
                  "comments": 0,
                  "review_comments": 0,
                  "commits": 1,
                  "additions": 1,
                  "deletions": 0,
                  "changed_files": 1
                }""".formatted(api, number, state, merged ? "\"2025-03-01T11:00:00Z\"" : "null", MERGE_SHA, HEAD_SHA,
                BASE_SHA, merged, mergeable, "null".equals(mergeable) ? "unknown" : "clean");
    }

    private static String checkRun(long id, String name, String status, String conclusion) {
        return """
                {"id": %1$d, "head_sha": "%2$s", "node_id": "CR_kwDOABCD%1$d", "external_id": "",
                 "url": "https://127.0.0.1/api/v3/repos/octo/app/check-runs/%1$d",
                 "html_url": "https://127.0.0.1/octo/app/runs/%1$d",
                 "details_url": "https://127.0.0.1/octo/app/actions/runs/1/job/%1$d",
                 "status": "%3$s", "conclusion": %4$s, "started_at": "2025-03-01T10:01:00Z", "completed_at": null,
                 "output": {"title": null, "summary": null, "text": null, "annotations_count": 0},
                 "name": "%5$s", "check_suite": {"id": 5}, "app": {"id": 15368, "slug": "github-actions"},
                 "pull_requests": []}""".formatted(id, HEAD_SHA, status, conclusion == null ? "null" : "\"" + conclusion + "\"", name);
    }

    private static String checkRuns(int total, String... runs) {
        return "{\"total_count\": " + total + ", \"check_runs\": [" + String.join(",", runs) + "]}";
    }

    private static String status(long id, String context, String state) {
        return """
                {"url": "https://127.0.0.1/api/v3/repos/octo/app/statuses/%1$s", "avatar_url": null, "id": %2$d,
                 "node_id": "SC_kwDOABCD%2$d", "state": "%3$s", "description": "Build %3$s",
                 "target_url": "https://ci.example.com/build/%2$d", "context": "%4$s",
                 "created_at": "2025-03-01T10:02:00Z", "updated_at": "2025-03-01T10:03:00Z"}"""
                .formatted(HEAD_SHA, id, state, context);
    }

    private static String combinedStatus(String state, String... statuses) {
        return """
                {"state": "%s", "statuses": [%s], "sha": "%s", "total_count": %d,
                 "repository": {"id": 1296269, "name": "app", "full_name": "octo/app"},
                 "commit_url": "https://127.0.0.1/api/v3/repos/octo/app/commits/%s",
                 "url": "https://127.0.0.1/api/v3/repos/octo/app/commits/%s/status"}"""
                .formatted(state, String.join(",", statuses), HEAD_SHA, statuses.length, HEAD_SHA, HEAD_SHA);
    }

    private PullRequest openPr() {
        return new PullRequest(7, "https://127.0.0.1/octo/app/pull/7", "open", "task/1", "main", HEAD_SHA, true, null);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void opening_posts_title_head_base_and_body_with_the_headers_github_expects() throws Exception {
        github.on("POST", "/repos/octo/app/pulls", 201, pull(7, "open", false, "null"));

        PullRequest pr = forge.open(repo, "task/1", "main", "Add feature", "Adds a feature.");

        assertThat(pr).isEqualTo(new PullRequest(7, "https://127.0.0.1/octo/app/pull/7", "open", "task/1", "main",
                HEAD_SHA, null, null));
        var request = github.requests.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.target()).isEqualTo("/repos/octo/app/pulls");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(request.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(request.header("User-Agent")).isNotBlank();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(json(request.body())).isEqualTo(json("""
                {"title": "Add feature", "head": "task/1", "base": "main", "body": "Adds a feature."}"""));
    }

    @Test
    void opening_when_one_is_already_open_for_the_head_returns_that_one() throws Exception {
        github.on("POST", "/repos/octo/app/pulls", 422, """
                {"message": "Validation Failed",
                 "errors": [{"resource": "PullRequest", "code": "custom",
                             "message": "A pull request already exists for octo:task/1."}],
                 "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                 "status": "422"}""");
        github.on("GET", "/repos/octo/app/pulls?state=open&head=octo%3Atask%2F1", 200,
                "[" + pull(7, "open", false, "null").replace("\"merged\": false,", "") + "]");

        PullRequest pr = forge.open(repo, "task/1", "main", "Add feature", "Adds a feature.");

        assertThat(pr.number()).isEqualTo(7);
        assertThat(pr.open()).isTrue();
        assertThat(github.requests).extracting(FakeGitHub.Request::method).containsExactly("POST", "GET");
    }

    @Test
    void opening_what_github_will_not_open_is_refused_with_its_reasons() {
        github.on("POST", "/repos/octo/app/pulls", 422, """
                {"message": "Validation Failed",
                 "errors": [{"resource": "PullRequest", "code": "custom", "message": "No commits between main and task/1"}],
                 "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", "status": "422"}""");

        assertThatThrownBy(() -> forge.open(repo, "task/1", "main", "Add feature", ""))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessageContaining("422 Validation Failed: No commits between main and task/1");
    }

    @Test
    void get_reports_mergeable_unknown_while_github_computes_it_and_then_its_answer() throws Exception {
        github.on("GET", "/repos/octo/app/pulls/7", 200, pull(7, "open", false, "null"))
                .on("GET", "/repos/octo/app/pulls/7", 200, pull(7, "open", false, "true"));

        assertThat(forge.get(repo, 7).mergeable()).isNull();
        assertThat(forge.get(repo, 7).mergeable()).isTrue();
        assertThat(github.requests).extracting(FakeGitHub.Request::target).containsOnly("/repos/octo/app/pulls/7");
    }

    @Test
    void a_merged_pull_request_reads_as_merged_with_its_merge_commit_and_a_closed_one_as_closed() throws Exception {
        github.on("GET", "/repos/octo/app/pulls/7", 200, pull(7, "closed", true, "null"));
        github.on("GET", "/repos/octo/app/pulls/8", 200, pull(8, "closed", false, "null"));

        PullRequest merged = forge.get(repo, 7);
        assertThat(merged.merged()).isTrue();
        assertThat(merged.mergeCommit()).isEqualTo(MERGE_SHA);
        PullRequest closed = forge.get(repo, 8);
        assertThat(closed.state()).isEqualTo("closed");
        assertThat(closed.mergeCommit()).isNull();
    }

    @Test
    void checks_are_pending_while_a_check_run_has_not_completed() throws Exception {
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/check-runs?per_page=100", 200,
                checkRuns(2, checkRun(1, "build", "completed", "success"), checkRun(2, "test", "queued", null)));
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/status?per_page=100", 200,
                combinedStatus("success", status(11, "ci/legacy", "success")));

        Checks checks = forge.checks(repo, openPr());

        assertThat(checks.state()).isEqualTo(Checks.State.PENDING);
        assertThat(checks.checks()).containsExactly(
                new Checks.Check("build", Checks.State.PASSED, "https://127.0.0.1/octo/app/runs/1"),
                new Checks.Check("test", Checks.State.PENDING, "https://127.0.0.1/octo/app/runs/2"),
                new Checks.Check("ci/legacy", Checks.State.PASSED, "https://ci.example.com/build/11"));
    }

    @Test
    void a_failed_check_run_or_commit_status_fails_the_checks() throws Exception {
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/check-runs?per_page=100", 200,
                checkRuns(3, checkRun(1, "build", "completed", "success"), checkRun(2, "test", "completed", "timed_out"),
                        checkRun(3, "lint", "in_progress", null)));
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/status?per_page=100", 200,
                combinedStatus("failure", status(11, "ci/legacy", "error"), status(12, "ci/docs", "pending")));

        Checks checks = forge.checks(repo, openPr());

        assertThat(checks.state()).isEqualTo(Checks.State.FAILED);
        assertThat(checks.failedNames()).containsExactly("test", "ci/legacy");
    }

    @Test
    void checks_pass_when_every_run_on_every_page_and_every_status_passed() throws Exception {
        String second = github.api() + "/repositories/1296269/commits/" + HEAD_SHA + "/check-runs?per_page=100&page=2";
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/check-runs?per_page=100", 200,
                checkRuns(3, checkRun(1, "build", "completed", "success"), checkRun(2, "docs", "completed", "skipped")),
                "Link", "<" + second + ">; rel=\"next\", <" + second + ">; rel=\"last\"");
        github.on("GET", "/repositories/1296269/commits/" + HEAD_SHA + "/check-runs?per_page=100&page=2", 200,
                checkRuns(3, checkRun(3, "coverage", "completed", "neutral")));
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/status?per_page=100", 200,
                combinedStatus("success", status(11, "ci/legacy", "success")));

        Checks checks = forge.checks(repo, openPr());

        assertThat(checks.state()).isEqualTo(Checks.State.PASSED);
        assertThat(checks.checks()).extracting(Checks.Check::name).containsExactly("build", "docs", "coverage", "ci/legacy");
    }

    @Test
    void a_commit_without_check_runs_or_statuses_has_no_checks() throws Exception {
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/check-runs?per_page=100", 200, checkRuns(0));
        // GitHub's combined state is "pending" when no status was ever set: the list decides, not that word.
        github.on("GET", "/repos/octo/app/commits/" + HEAD_SHA + "/status?per_page=100", 200, combinedStatus("pending"));

        assertThat(forge.checks(repo, openPr()).state()).isEqualTo(Checks.State.NONE);
    }

    @Test
    void merging_puts_the_method_and_the_head_commit_seen_and_returns_the_merge_commit() throws Exception {
        github.on("PUT", "/repos/octo/app/pulls/7/merge", 200, """
                {"sha": "%s", "merged": true, "message": "Pull Request successfully merged"}""".formatted(MERGE_SHA));

        PullRequest merged = forge.merge(repo, openPr(), MergeMethod.SQUASH);

        assertThat(merged.merged()).isTrue();
        assertThat(merged.mergeCommit()).isEqualTo(MERGE_SHA);
        var request = github.requests.getFirst();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(json(request.body())).isEqualTo(json("""
                {"merge_method": "squash", "sha": "%s"}""".formatted(HEAD_SHA)));
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void a_merge_github_will_not_make_is_refused_with_its_message() {
        github.on("PUT", "/repos/octo/app/pulls/7/merge", 405, """
                {"message": "Pull Request is not mergeable",
                 "documentation_url": "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request", "status": "405"}""");
        github.on("GET", "/repos/octo/app/pulls/7", 200, pull(7, "open", false, "false"));

        assertThatThrownBy(() -> forge.merge(repo, openPr(), MergeMethod.MERGE))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessageContaining("405 Pull Request is not mergeable");
    }

    @Test
    void merging_after_the_head_moved_is_refused() {
        github.on("PUT", "/repos/octo/app/pulls/7/merge", 409, """
                {"message": "Head branch was modified. Review and try the merge again.",
                 "documentation_url": "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request", "status": "409"}""");

        assertThatThrownBy(() -> forge.merge(repo, openPr(), MergeMethod.MERGE))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessageContaining("Head branch was modified");
    }

    @Test
    void merging_a_pull_request_merged_meanwhile_returns_it() throws Exception {
        github.on("PUT", "/repos/octo/app/pulls/7/merge", 405, """
                {"message": "Pull Request is not mergeable", "status": "405"}""");
        github.on("GET", "/repos/octo/app/pulls/7", 200, pull(7, "closed", true, "null"));

        PullRequest merged = forge.merge(repo, openPr(), MergeMethod.MERGE);

        assertThat(merged.merged()).isTrue();
        assertThat(merged.mergeCommit()).isEqualTo(MERGE_SHA);
    }

    @Test
    void commenting_posts_the_text_to_the_pull_requests_issue() throws Exception {
        github.on("POST", "/repos/octo/app/issues/7/comments", 201, """
                {"id": 1, "node_id": "IC_kwDOABCD", "body": "The gate passed.",
                 "html_url": "https://127.0.0.1/octo/app/pull/7#issuecomment-1", "user": {"login": "agentry-bot"},
                 "created_at": "2025-03-01T10:00:00Z", "updated_at": "2025-03-01T10:00:00Z"}""");

        forge.comment(repo, openPr(), "The gate passed.");

        assertThat(json(github.requests.getFirst().body())).isEqualTo(json("{\"body\": \"The gate passed.\"}"));
    }

    @Test
    void a_token_github_rejects_is_reported_without_the_token() {
        github.on("GET", "/repos/octo/app/pulls/7", 401, """
                {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}""");

        assertThatThrownBy(() -> forge.get(repo, 7))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> {
                    assertThat(f.refused()).isTrue();
                    assertThat(f.getMessage()).contains("401 Bad credentials", "credential").doesNotContain(TOKEN);
                });
    }

    @Test
    void a_rate_limit_says_when_to_try_again_and_is_not_a_refusal() {
        github.on("GET", "/repos/octo/app/pulls/7", 403, """
                {"message": "API rate limit exceeded for user ID 583231.",
                 "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}""",
                "x-ratelimit-limit", "5000", "x-ratelimit-remaining", "0", "x-ratelimit-used", "5000",
                "x-ratelimit-reset", "1740826800", "x-ratelimit-resource", "core");
        github.on("GET", "/repos/octo/app/pulls/8", 429, """
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}""",
                "retry-after", "60");

        assertThatThrownBy(() -> forge.get(repo, 7))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isFalse())
                .hasMessageContaining("rate limit")
                .hasMessageContaining("retry after 2025-03-01T11:00:00Z");
        assertThatThrownBy(() -> forge.get(repo, 8))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isFalse())
                .hasMessageContaining("retry in 60 seconds");
    }

    @Test
    void a_server_error_is_not_a_refusal() {
        github.on("GET", "/repos/octo/app/pulls/7", 502, "{\"message\": \"Server Error\"}");

        assertThatThrownBy(() -> forge.get(repo, 7))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isFalse())
                .hasMessageContaining("502 Server Error");
    }

    @Test
    void an_unreachable_github_is_not_a_refusal() {
        var gone = new GitHubForge(github.api(), HttpClient.newHttpClient());
        github.close();

        assertThatThrownBy(() -> gone.get(repo, 7))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isFalse())
                .hasMessageStartingWith("could not reach GitHub at 127.0.0.1");
    }

    @Test
    void an_answer_larger_than_the_bound_is_not_read() {
        String huge = "[" + ("\"" + "x".repeat(1000) + "\",").repeat(GitHubForge.MAX_RESPONSE_BYTES / 1000) + "\"\"]";
        github.on("GET", "/repos/octo/app/pulls/7", 200, huge);

        assertThatThrownBy(() -> forge.get(repo, 7))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isFalse())
                .hasMessageContaining("is larger than 8 MiB");
    }

    @Test
    void a_url_that_is_not_a_repository_on_the_apis_host_is_refused_before_any_call() {
        var dotCom = new GitHubForge(URI.create("https://api.github.com"), HttpClient.newHttpClient());
        var elsewhere = new ForgeRepository("default", "app", "https://gitlab.com/octo/app.git", "main", TOKEN);

        assertThatThrownBy(() -> dotCom.get(elsewhere, 1))
                .isInstanceOfSatisfying(ForgeFailure.class, f -> assertThat(f.refused()).isTrue())
                .hasMessage("repository default/app is not a GitHub repository on github.com: its URL "
                        + "https://gitlab.com/octo/app.git is not https://github.com/OWNER/NAME(.git) or "
                        + "git@github.com:OWNER/NAME.git");
        var local = new ForgeRepository("default", "app", "/srv/git/app", "main", null);
        assertThatThrownBy(() -> forge.get(local, 1)).isInstanceOf(ForgeFailure.class)
                .hasMessageContaining("is not a GitHub repository on 127.0.0.1");
        assertThat(github.requests).isEmpty();
    }

    @Test
    void owner_and_name_come_from_every_url_form_git_accepts() {
        var slug = Optional.of(new GitHubForge.Slug("octo", "app"));
        assertThat(GitHubForge.slug("https://github.com/octo/app", "github.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("https://github.com/octo/app.git", "github.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("https://github.com/octo/app/", "github.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("git@github.com:octo/app.git", "github.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("ssh://git@github.com/octo/app.git", "github.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("https://ghe.example.com/octo/app.git", "ghe.example.com")).isEqualTo(slug);
        assertThat(GitHubForge.slug("https://github.com/octo", "github.com")).isEmpty();
        assertThat(GitHubForge.slug("https://github.com/octo/app/tree/main", "github.com")).isEmpty();
        assertThat(GitHubForge.slug("https://ghe.example.com/octo/app.git", "github.com")).isEmpty();
        assertThat(GitHubForge.slug("file:///srv/git/app", "github.com")).isEmpty();

        assertThat(GitHubForge.webHost(URI.create("https://api.github.com"))).isEqualTo("github.com");
        assertThat(GitHubForge.webHost(URI.create("https://api.octocorp.ghe.com"))).isEqualTo("octocorp.ghe.com");
        assertThat(GitHubForge.webHost(URI.create("https://ghe.example.com/api/v3"))).isEqualTo("ghe.example.com");
    }
}
