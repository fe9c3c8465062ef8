package dev.agentry.runners.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.Forge;
import dev.agentry.core.forge.ForgeRepository;
import dev.agentry.core.forge.MergeMethod;
import dev.agentry.core.forge.PullRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pull requests on GitHub or GitHub Enterprise, over the REST API (version 2022-11-28). The repository's
 * credential is the token; owner and name come from the repository's URL, which must be on the host the API
 * serves ({@code github.com} for {@code https://api.github.com}, else the API's own host).
 *
 * <p>Failures: GitHub saying no (not mergeable, head moved, bad token, no access) is {@code refused};
 * GitHub unreachable, failing (5xx) or rate limiting is not, and a rate limit says when to try again.
 * No message ever holds the token.
 */
public final class GitHubForge implements Forge {
    /** The largest answer read from GitHub; a larger one is a failure, not a partial read. */
    static final int MAX_RESPONSE_BYTES = 8 << 20;
    /** Pages of check runs read per commit (100 a page). */
    static final int MAX_CHECK_PAGES = 10;
    static final String API_VERSION = "2022-11-28";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL_FORM =
            Pattern.compile("(?:https?|ssh|git)://(?:[^@/]+@)?([^/:]+)(?::\\d+)?/([^/]+)/([^/]+?)(?:\\.git)?/?");
    private static final Pattern SCP_FORM = Pattern.compile("(?:[^@/]+@)?([^/:]+):/?([^/]+)/([^/]+?)(?:\\.git)?/?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    private final URI api;
    private final HttpClient http;
    private final String webHost;

    /**
     * @param apiBaseUrl {@code https://api.github.com}; a GitHub Enterprise Server's {@code https://HOST/api/v3}; or
     *                   GHE.com's {@code https://api.SUBDOMAIN.ghe.com}
     */
    public GitHubForge(URI apiBaseUrl, HttpClient http) {
        String base = apiBaseUrl.toString().replaceAll("/+$", "");
        this.api = URI.create(base);
        if (api.getHost() == null || !List.of("http", "https").contains(String.valueOf(api.getScheme()))) {
            throw new IllegalArgumentException("GitHub API base URL " + apiBaseUrl + " is not an http(s) URL");
        }
        this.http = http;
        this.webHost = webHost(api);
    }

    /**
     * The host repositories are on: an API at {@code https://api.HOST} (github.com, GHE.com) serves {@code HOST};
     * a GitHub Enterprise Server's API at {@code https://HOST/api/v3} serves its own host.
     */
    static String webHost(URI api) {
        String host = api.getHost().toLowerCase(Locale.ROOT);
        boolean atRoot = api.getPath() == null || api.getPath().isEmpty() || api.getPath().equals("/");
        return atRoot && host.startsWith("api.") ? host.substring("api.".length()) : host;
    }

    /** A repository on GitHub: the owner (user or organization) and its name. */
    record Slug(String owner, String name) {
        String path() {
            return "/repos/" + owner + "/" + name;
        }

        @Override
        public String toString() {
            return owner + "/" + name;
        }
    }

    /** Owner and name from a repository URL on {@code host}, in any of the forms git accepts. */
    static Optional<Slug> slug(String url, String host) {
        if (url == null) {
            return Optional.empty();
        }
        for (Pattern form : List.of(URL_FORM, SCP_FORM)) {
            Matcher m = form.matcher(url.strip());
            if (m.matches()) {
                String h = m.group(1).toLowerCase(Locale.ROOT);
                boolean sameHost = h.equals(host) || (host.equals("github.com") && h.equals("www.github.com"));
                if (sameHost && NAME.matcher(m.group(2)).matches() && NAME.matcher(m.group(3)).matches()) {
                    return Optional.of(new Slug(m.group(2), m.group(3)));
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public PullRequest open(ForgeRepository repo, String head, String base, String title, String body) throws ForgeFailure {
        Slug slug = slug(repo);
        var request = new LinkedHashMap<String, Object>();
        request.put("title", title);
        request.put("head", head);
        request.put("base", base);
        request.put("body", body == null ? "" : body);
        Response created = call(repo, "POST", slug.path() + "/pulls", request);
        if (created.status() == 201) {
            return pullRequest(created.json());
        }
        if (created.status() == 422 && created.text().contains("pull request already exists")) {
            String qualified = head.contains(":") ? head : slug.owner() + ":" + head;
            Response open = call(repo, "GET", slug.path() + "/pulls?state=open&head=" + encode(qualified), null);
            if (open.status() == 200 && open.json().isArray() && !open.json().isEmpty()) {
                return pullRequest(open.json().get(0));
            }
            if (open.status() != 200) {
                throw failure(repo, "finding the open pull request for " + head, open);
            }
        }
        throw failure(repo, "opening a pull request from " + head + " onto " + base, created);
    }

    @Override
    public PullRequest get(ForgeRepository repo, int number) throws ForgeFailure {
        Slug slug = slug(repo);
        Response r = call(repo, "GET", slug.path() + "/pulls/" + number, null);
        if (r.status() != 200) {
            throw failure(repo, "reading pull request #" + number, r);
        }
        return pullRequest(r.json());
    }

    /** Check runs (GitHub Actions and apps) and commit statuses (older CI integrations) on the head commit. */
    @Override
    public Checks checks(ForgeRepository repo, PullRequest pr) throws ForgeFailure {
        Slug slug = slug(repo);
        String sha = sha(pr.headCommit());
        var checks = new ArrayList<Checks.Check>();
        URI page = URI.create(api + slug.path() + "/commits/" + sha + "/check-runs?per_page=100");
        for (int pages = 0; page != null && pages < MAX_CHECK_PAGES; pages++) {
            Response r = call(repo, "GET", page, null);
            if (r.status() != 200) {
                throw failure(repo, "reading the check runs of " + sha, r);
            }
            for (JsonNode run : r.json().path("check_runs")) {
                checks.add(new Checks.Check(run.path("name").asText(), checkRunState(run),
                        text(run, "html_url").or(() -> text(run, "details_url")).orElse(null)));
            }
            page = nextPage(r);
        }
        Response statuses = call(repo, "GET", slug.path() + "/commits/" + sha + "/status?per_page=100", null);
        if (statuses.status() != 200) {
            throw failure(repo, "reading the statuses of " + sha, statuses);
        }
        for (JsonNode status : statuses.json().path("statuses")) {
            checks.add(new Checks.Check(status.path("context").asText(), statusState(status.path("state").asText()),
                    text(status, "target_url").orElse(null)));
        }
        return CombinedChecks.of(checks);
    }

    /** Check run: {@code completed} with a good conclusion passed, with any other failed; not completed is pending. */
    static Checks.State checkRunState(JsonNode run) {
        if (!"completed".equals(run.path("status").asText())) {
            return Checks.State.PENDING; // queued, in_progress, waiting, requested, pending
        }
        return switch (run.path("conclusion").asText("")) {
            case "success", "neutral", "skipped" -> Checks.State.PASSED;
            case "" -> Checks.State.PENDING;
            // failure, cancelled, timed_out, action_required, startup_failure, stale, and any new one: not green
            default -> Checks.State.FAILED;
        };
    }

    /** Commit status: {@code pending}, {@code success}, {@code failure} or {@code error}. */
    static Checks.State statusState(String state) {
        return switch (state) {
            case "success" -> Checks.State.PASSED;
            case "pending" -> Checks.State.PENDING;
            default -> Checks.State.FAILED;
        };
    }

    /**
     * Merges at the head commit the caller saw: GitHub refuses (409) if the head moved since. A pull request
     * already merged is returned as it is.
     */
    @Override
    public PullRequest merge(ForgeRepository repo, PullRequest pr, MergeMethod method) throws ForgeFailure {
        if (pr.merged()) {
            return pr;
        }
        Slug slug = slug(repo);
        Response r = call(repo, "PUT", slug.path() + "/pulls/" + pr.number() + "/merge",
                Map.of("merge_method", method.wireName(), "sha", sha(pr.headCommit())));
        if (r.status() == 200 && r.json().path("merged").asBoolean(true)) {
            return new PullRequest(pr.number(), pr.url(), "merged", pr.head(), pr.base(), pr.headCommit(), null,
                    r.json().path("sha").asText(null));
        }
        if (r.status() == 405) {
            PullRequest now = get(repo, pr.number());
            if (now.merged()) {
                return now;
            }
        }
        throw failure(repo, "merging pull request #" + pr.number(), r);
    }

    @Override
    public void comment(ForgeRepository repo, PullRequest pr, String text) throws ForgeFailure {
        Slug slug = slug(repo);
        Response r = call(repo, "POST", slug.path() + "/issues/" + pr.number() + "/comments", Map.of("body", text));
        if (r.status() != 201) {
            throw failure(repo, "commenting on pull request #" + pr.number(), r);
        }
    }

    // --- wire

    /** An answer from GitHub; {@code json} is a missing node when it had no body. */
    private record Response(String what, int status, HttpResponse<?> raw, String text, JsonNode json) {}

    private Response call(ForgeRepository repo, String method, String path, Object body) throws ForgeFailure {
        return call(repo, method, URI.create(api + path), body);
    }

    private Response call(ForgeRepository repo, String method, URI uri, Object body) throws ForgeFailure {
        if (!sameOrigin(uri)) {
            throw new ForgeFailure("GitHub pointed " + uri.getScheme() + "://" + uri.getHost()
                    + " as the next page, which is not " + api.getHost() + "; the token is not sent there", false);
        }
        var request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION)
                .header("User-Agent", "agentry");
        if (repo.credential() != null && !repo.credential().isBlank()) {
            request.header("Authorization", "Bearer " + repo.credential());
        }
        try {
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            String what = method + " " + uri.getRawPath();
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = response.body()) {
                bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            }
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new ForgeFailure("GitHub's answer to " + what + " is larger than " + (MAX_RESPONSE_BYTES >> 20)
                        + " MiB; not read", false);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            JsonNode json = MissingNode.getInstance();
            if (!text.isBlank()) {
                try {
                    json = JSON.readTree(text);
                } catch (IOException notJson) {
                    if (response.statusCode() / 100 == 2) {
                        throw new ForgeFailure("GitHub answered " + what + " with something that is not JSON", false);
                    }
                }
            }
            return new Response(what, response.statusCode(), response, text, json);
        } catch (IOException e) {
            throw new ForgeFailure(redact(repo, "could not reach GitHub at " + api.getHost() + " (" + method + " "
                    + uri.getRawPath() + "): " + e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeFailure("interrupted while calling GitHub", e);
        }
    }

    private boolean sameOrigin(URI uri) {
        return api.getScheme().equalsIgnoreCase(uri.getScheme()) && api.getHost().equalsIgnoreCase(uri.getHost())
                && api.getPort() == uri.getPort();
    }

    private static URI nextPage(Response r) {
        for (String link : r.raw().headers().allValues("link")) {
            Matcher m = NEXT_LINK.matcher(link);
            if (m.find()) {
                return URI.create(m.group(1));
            }
        }
        return null;
    }

    /** What a failed call means for the caller, in words that name the call and GitHub's reason, never the token. */
    private ForgeFailure failure(ForgeRepository repo, String doing, Response r) {
        String reason = reason(r);
        String where = " (" + r.what() + ")";
        var headers = r.raw().headers();
        boolean limited = r.status() == 429 || (r.status() == 403 && (headers.firstValue("retry-after").isPresent()
                || headers.firstValue("x-ratelimit-remaining").filter("0"::equals).isPresent()));
        String message;
        boolean refused;
        if (limited) {
            refused = false;
            message = "GitHub's rate limit stopped " + doing + where + ": " + retryWhen(headers) + " [" + r.status() + " "
                    + reason + "]";
        } else if (r.status() == 401) {
            refused = true;
            message = "GitHub did not accept the token while " + doing + where + ": " + r.status() + " " + reason
                    + "; check the repository's credential";
        } else if (r.status() == 403) {
            refused = true;
            message = "GitHub denied " + doing + where + ": " + r.status() + " " + reason
                    + "; the token lacks a permission this needs";
        } else if (r.status() == 404) {
            refused = true;
            message = "GitHub found nothing while " + doing + where + ": 404 " + reason
                    + " (it does not exist, or the token cannot see the repository)";
        } else if (r.status() >= 500) {
            refused = false;
            message = "GitHub failed while " + doing + where + ": " + r.status() + " " + reason + "; try again later";
        } else {
            refused = r.status() >= 400;
            message = "GitHub refused " + doing + where + ": " + r.status() + " " + reason;
        }
        return new ForgeFailure(redact(repo, message), refused);
    }

    private static String retryWhen(java.net.http.HttpHeaders headers) {
        Optional<String> after = headers.firstValue("retry-after");
        if (after.isPresent() && after.get().strip().matches("\\d+")) {
            return "retry in " + after.get().strip() + " seconds";
        }
        Optional<String> reset = headers.firstValue("x-ratelimit-reset");
        if (reset.isPresent() && reset.get().strip().matches("\\d+")) {
            return "retry after " + Instant.ofEpochSecond(Long.parseLong(reset.get().strip())) + ", when it resets";
        }
        return "retry in a minute or more";
    }

    /** GitHub's own words: its message, and the messages of the validation errors it lists. */
    private static String reason(Response r) {
        if (!r.json().isObject()) {
            String text = r.text().strip();
            return text.isEmpty() ? "(no message)" : bounded(text);
        }
        var words = new ArrayList<String>();
        text(r.json(), "message").ifPresent(words::add);
        for (JsonNode error : r.json().path("errors")) {
            if (error.isTextual()) {
                words.add(error.asText());
            } else {
                text(error, "message").or(() -> text(error, "code").map(code -> code + " " + error.path("field").asText("")))
                        .ifPresent(words::add);
            }
        }
        return words.isEmpty() ? "(no message)" : bounded(String.join(": ", words));
    }

    private static String bounded(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    private static String redact(ForgeRepository repo, String message) {
        String token = repo.credential();
        return token == null || token.isBlank() ? message : message.replace(token, "***");
    }

    // --- values

    private Slug slug(ForgeRepository repo) throws ForgeFailure {
        return slug(repo.url(), webHost).orElseThrow(() -> new ForgeFailure(redact(repo, "repository " + repo.workspace()
                + "/" + repo.name() + " is not a GitHub repository on " + webHost + ": its URL " + repo.url()
                + " is not https://" + webHost + "/OWNER/NAME(.git) or git@" + webHost + ":OWNER/NAME.git"), true));
    }

    private static String sha(String sha) throws ForgeFailure {
        if (sha == null || !SHA.matcher(sha).matches()) {
            throw new ForgeFailure("'" + sha + "' is not a commit id", true);
        }
        return sha;
    }

    private static PullRequest pullRequest(JsonNode pr) {
        boolean merged = pr.path("merged").asBoolean(false) || text(pr, "merged_at").isPresent();
        String state = merged ? "merged" : pr.path("state").asText();
        JsonNode mergeable = pr.get("mergeable");
        return new PullRequest(pr.path("number").asInt(), text(pr, "html_url").orElse(null), state,
                pr.path("head").path("ref").asText(null), pr.path("base").path("ref").asText(null),
                pr.path("head").path("sha").asText(null),
                mergeable == null || mergeable.isNull() || merged ? null : mergeable.asBoolean(),
                merged ? text(pr, "merge_commit_sha").orElse(null) : null);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
