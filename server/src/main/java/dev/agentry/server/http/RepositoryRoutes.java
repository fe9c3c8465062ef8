package dev.agentry.server.http;

import dev.agentry.core.engine.NotFound;
import dev.agentry.core.forge.Checks;
import dev.agentry.core.forge.LocalPullRequests;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.repo.Repository;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.repo.SecretVault;
import dev.agentry.runners.git.Git;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Repositories registered with a workspace, and the records of the local forge: its pull requests and the
 * checks an outside CI reports on commits.
 */
final class RepositoryRoutes {
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
    private static final Pattern CHECK_NAME = Pattern.compile("[\\p{L}\\p{N} ._:/()-]{1,100}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");

    private final RepositoryStore repositories;
    private final LocalPullRequests pullRequests;
    private final SecretVault secrets;

    RepositoryRoutes(RepositoryStore repositories, LocalPullRequests pullRequests, SecretVault secrets) {
        this.repositories = repositories;
        this.pullRequests = pullRequests;
        this.secrets = secrets;
    }

    void register(Context ctx) {
        String ws = ctx.pathParam("workspace");
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "name", "url", "baseBranch", "forge", "credential", "verify");
        String name = Requests.text(body, "name", true, 63);
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "'" + Requests.abbreviate(name) + "' is not a valid repository name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        String url = url(Requests.text(body, "url", true, 2000));
        String base = Requests.text(body, "baseBranch", false, 200);
        base = base == null ? "main" : base;
        if (!BRANCH.matcher(base).matches() || base.contains("..") || base.startsWith("-") || base.endsWith("/")) {
            throw ApiProblem.badRequest("baseBranch", "'" + Requests.abbreviate(base) + "' is not a valid branch name");
        }
        String forge = Requests.text(body, "forge", false, 20);
        if (forge == null) {
            forge = url.contains("github.com") ? Repository.GITHUB_FORGE : Repository.LOCAL_FORGE;
        } else if (!forge.equals(Repository.LOCAL_FORGE) && !forge.equals(Repository.GITHUB_FORGE)) {
            throw ApiProblem.badRequest("forge", "unknown forge '" + Requests.abbreviate(forge) + "'; expected local or github");
        }
        String credentialRef = Requests.text(body, "credential", false, 100);
        String credential = null;
        if (credentialRef != null) {
            credential = secrets.reveal(ws, credentialRef).orElseThrow(() -> new ApiProblem(422, "unknown-secret",
                    "The secret is not set", "no secret named '" + Requests.abbreviate(credentialRef) + "' is set; store it with 'agentry secrets set "
                    + Requests.abbreviate(credentialRef) + "' (or PUT …/secrets/" + Requests.abbreviate(credentialRef)
                    + "), then register again", "credential", null));
        }
        var verify = body.get("verify");
        if (verify != null && !verify.isBoolean()) {
            throw ApiProblem.badRequest("verify", "expected true or false, got " + Requests.kind(verify));
        }
        if (verify == null || verify.asBoolean()) {
            verifyReachable(url, base, credential);
        }
        var saved = repositories.save(new Repository(ws, name, url, base, forge, credentialRef, null));
        HttpApi.json(ctx, 201, saved);
    }

    /** A local path (absolute, existing) or a git URL without credentials in it. */
    private static String url(String url) {
        if (url.startsWith("/")) {
            Path path = Path.of(url).normalize();
            if (!Files.isDirectory(path)) {
                throw ApiProblem.badRequest("url", "no directory at " + Requests.abbreviate(url) + "; expected the path of a git repository on this machine, or a git URL");
            }
            return path.toString();
        }
        if (url.matches("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+")) {
            return url; // scp-like ssh: git@github.com:owner/repo.git
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("url", "not a URL or absolute path: " + Requests.abbreviate(url));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("ssh") && !scheme.equals("file") && !scheme.equals("http")) {
            throw ApiProblem.badRequest("url", "expected an https, http, ssh or file URL, or an absolute path; got scheme '" + scheme + "'");
        }
        if (uri.getRawUserInfo() != null && (uri.getRawUserInfo().contains(":") || !scheme.equals("ssh"))) {
            throw ApiProblem.badRequest("url", "the URL carries credentials; register the token as a secret and name it in credential");
        }
        return url;
    }

    /** Registration fails fast, with git's own words, when the repository or its base branch cannot be reached. */
    private static void verifyReachable(String url, String base, String credential) {
        Git.Result result;
        try {
            result = Git.outside().remoteTry(credential, Duration.ofSeconds(30),
                    "ls-remote", "--heads", "--", url, "refs/heads/" + base);
        } catch (java.io.IOException e) {
            throw new ApiProblem(422, "unreachable-repository", "The repository cannot be reached",
                    "could not run git: " + e.getMessage(), "url", null);
        }
        if (!result.ok()) {
            String why = result.err().strip().lines().reduce((a, b) -> b).orElse("git exited with " + result.exit());
            throw new ApiProblem(422, "unreachable-repository", "The repository cannot be reached",
                    "git could not reach " + Requests.abbreviate(url) + ": " + why, "url", null);
        }
        if (result.out().isBlank()) {
            throw new ApiProblem(422, "unknown-branch", "The base branch does not exist",
                    "the repository has no branch '" + base + "'; name its default branch in baseBranch", "baseBranch", null);
        }
    }

    void list(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("repositories", repositories.list(ctx.pathParam("workspace"))));
    }

    void get(Context ctx) {
        HttpApi.json(ctx, 200, find(ctx));
    }

    void remove(Context ctx) {
        String ws = ctx.pathParam("workspace");
        if (!repositories.remove(ws, ctx.pathParam("name"))) {
            throw notFound(ws, ctx.pathParam("name"));
        }
        ctx.status(204);
    }

    void pullRequests(Context ctx) {
        var repo = find(ctx);
        var list = pullRequests.list(repo.workspace(), repo.name()).stream().map(pr -> summary(pr, false)).toList();
        HttpApi.json(ctx, 200, Map.of("pullRequests", list));
    }

    void pullRequest(Context ctx) {
        var repo = find(ctx);
        long n = Requests.pathId(ctx, "number");
        var pr = pullRequests.find(repo.workspace(), repo.name(), (int) Math.min(n, Integer.MAX_VALUE)).orElseThrow(() ->
                new NotFound("number", "repository '" + repo.name() + "' has no pull request #" + n));
        var out = summary(pr, true);
        out.put("checks", pullRequests.checks(repo.workspace(), repo.name(), pr.headCommit()));
        HttpApi.json(ctx, 200, out);
    }

    /** An outside CI reports the state of one of its checks on a commit (like GitHub's commit statuses). */
    void reportCheck(Context ctx) {
        var repo = find(ctx);
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "commit", "name", "state", "url");
        String commit = Requests.text(body, "commit", true, 64);
        if (!SHA.matcher(commit).matches()) {
            throw ApiProblem.badRequest("commit", "expected a full or abbreviated commit id (hex), got '" + Requests.abbreviate(commit) + "'");
        }
        String name = Requests.text(body, "name", true, 100);
        if (!CHECK_NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "expected a check name of letters, digits, spaces and ._:/()-, at most 100");
        }
        String state = Requests.text(body, "state", true, 20);
        Checks.State parsed = switch (state) {
            case "pending" -> Checks.State.PENDING;
            case "passed", "success" -> Checks.State.PASSED;
            case "failed", "failure", "error" -> Checks.State.FAILED;
            default -> throw ApiProblem.badRequest("state", "unknown state '" + Requests.abbreviate(state) + "'; expected pending, passed or failed");
        };
        String url = Requests.text(body, "url", false, 2000);
        var check = new Checks.Check(name, parsed, url);
        pullRequests.reportCheck(repo.workspace(), repo.name(), commit, check);
        HttpApi.json(ctx, 201, check);
    }

    private static Map<String, Object> summary(LocalPullRequests.Stored pr, boolean withDiff) {
        var out = new LinkedHashMap<String, Object>();
        out.put("number", pr.number());
        out.put("url", "agentry://" + pr.workspace() + "/" + pr.repository() + "/pulls/" + pr.number());
        out.put("state", pr.state());
        out.put("title", pr.title());
        out.put("head", pr.head());
        out.put("base", pr.base());
        out.put("headCommit", pr.headCommit());
        out.put("mergeCommit", pr.mergeCommit());
        out.put("createdAt", pr.createdAt());
        out.put("mergedAt", pr.mergedAt());
        if (withDiff) {
            out.put("body", pr.body());
            out.put("diff", pr.diff());
        }
        return out;
    }

    private Repository find(Context ctx) {
        String ws = ctx.pathParam("workspace");
        String name = ctx.pathParam("name");
        return repositories.find(ws, name).orElseThrow(() -> notFound(ws, name));
    }

    private static NotFound notFound(String ws, String name) {
        return new NotFound("name", "no repository '" + Requests.abbreviate(name) + "' in workspace '" + ws + "'");
    }
}
