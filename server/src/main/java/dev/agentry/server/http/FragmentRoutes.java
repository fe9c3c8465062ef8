package dev.agentry.server.http;

import dev.agentry.core.agent.PromptFragments;
import dev.agentry.core.agent.PromptFragments.Scope;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.RunQueries;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.spend.SpendViews;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prompt fragments: versioned guideline texts of an account or a workspace, and the built-in ones. */
final class FragmentRoutes {
    /** A fragment is guidance, not a document: a generous page of text at most. */
    static final int MAX_TEXT = 32 * 1024;

    private final PromptFragments fragments;
    private final SpendViews accounts;
    private final RunQueries queries;

    FragmentRoutes(PromptFragments fragments, SpendViews accounts, RunQueries queries) {
        this.fragments = fragments;
        this.accounts = accounts;
        this.queries = queries;
    }

    record Owner(Scope scope, String name) {}

    Owner workspace(Context ctx) {
        return new Owner(Scope.WORKSPACE, ctx.pathParam("workspace"));
    }

    Owner account(Context ctx) {
        String name = ctx.pathParam("account");
        if (!accounts.accountExists(name)) {
            throw new NotFound("account", "no account '" + Requests.abbreviate(name) + "'");
        }
        return new Owner(Scope.ACCOUNT, name);
    }

    void visible(Context ctx) {
        HttpApi.json(ctx, 200, Map.of("items", fragments.visible(ctx.pathParam("workspace")).stream().map(FragmentRoutes::view).toList()));
    }

    /** {@code ?version=N} for an older version; a workspace's name falls back to its account's and the built-in one. */
    void get(Context ctx, Owner owner) {
        String name = name(ctx);
        Integer version = Requests.queryInt(ctx, "version", 1, Integer.MAX_VALUE);
        var found = fragments.find(owner.scope(), owner.name(), name, version);
        if (found.isEmpty() && version == null && owner.scope() == Scope.WORKSPACE) {
            found = fragments.visible(owner.name()).stream().filter(f -> f.name().equals(name)).findFirst();
        }
        if (found.isEmpty() && version == null) {
            found = fragments.find(Scope.BUILTIN, null, name, null);
        }
        var fragment = found.orElseThrow(() -> new NotFound("name", "no prompt fragment '" + name + "'"
                + (version == null ? "" : " with version " + version) + " for " + owner.scope().wireName() + " '" + owner.name() + "'"));
        HttpApi.json(ctx, 200, view(fragment));
    }

    void save(Context ctx, Owner owner) {
        String name = name(ctx);
        var body = Requests.object(ctx, false);
        Requests.allowOnly(body, "text");
        String text = Requests.text(body, "text", true, MAX_TEXT);
        if (text.isBlank()) {
            throw ApiProblem.badRequest("text", "the fragment's text is empty");
        }
        var saved = fragments.save(owner.scope(), owner.name(), name, text);
        HttpApi.json(ctx, 200, view(saved));
    }

    void ofRun(Context ctx) {
        String ws = ctx.pathParam("workspace");
        long id = Requests.pathId(ctx, "id");
        queries.run(ws, id).orElseThrow(() -> new NotFound("id", "no run " + id + " in workspace '" + ws + "'"));
        HttpApi.json(ctx, 200, Map.of("items", fragments.pinnedBy(id).stream().map(FragmentRoutes::view).toList()));
    }

    private static String name(Context ctx) {
        String name = ctx.pathParam("name");
        if (!PipelineParser.NAME.matcher(name).matches()) {
            throw ApiProblem.badRequest("name", "'" + Requests.abbreviate(name)
                    + "' is not a valid fragment name; expected lower-case letters, digits, '-' or '_' (at most 63)");
        }
        return name;
    }

    private static Map<String, Object> view(PromptFragments.Fragment f) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", f.name());
        m.put("scope", f.scope().wireName());
        m.put("owner", f.owner());
        m.put("version", f.version());
        m.put("text", f.text());
        m.put("createdAt", f.createdAt().toString());
        return m;
    }
}
