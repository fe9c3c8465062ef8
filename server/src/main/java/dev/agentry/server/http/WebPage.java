package dev.agentry.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web page: a single-page app (the {@code web} module) that the jar carries under {@code /agentry-web}.
 * Its screens have their own URLs ({@code /w/{workspace}/...}), all answered with the same {@code index.html}
 * so that a deep link or a reload works; the app then reads the URL. The page itself is public: everything it
 * shows comes from the API, with the user's token.
 */
final class WebPage {
    static final String ROOT = "/agentry-web";
    /** Vite names assets by their content hash, so a name never changes meaning and can be cached for good. */
    private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "woff2", "font/woff2", "json", "application/json");
    /**
     * Only the page's own scripts run, and it only talks to its own origin. Styles may be inline: the graph
     * library positions nodes with style attributes.
     */
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** Paths that are the page (not the API): ApiAccess lets them through without a token. */
    static boolean isPage(String path) {
        return path.equals("/") || path.equals("/login") || path.startsWith("/w/") || path.startsWith("/assets/");
    }

    void index(Context ctx) {
        byte[] html = load("index.html");
        if (html == null) {
            throw ApiProblem.notFound("path", "this build of Agentry has no web page (build it with ./mvnw install, which needs Node 20+)");
        }
        headers(ctx);
        ctx.header("Cache-Control", "no-cache"); // always revalidated, so a new version's assets are picked up
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    void asset(Context ctx) {
        String name = ctx.pathParam("file");
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        byte[] bytes = ASSET.matcher(name).matches() && type != null ? load("assets/" + name) : null;
        if (bytes == null) {
            throw ApiProblem.notFound("path", "no such file of the web page: " + Requests.abbreviate(name));
        }
        headers(ctx);
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        ctx.contentType(type).result(bytes);
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private byte[] load(String name) {
        byte[] cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = WebPage.class.getResourceAsStream(ROOT + "/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            cache.put(name, bytes);
            return bytes;
        } catch (IOException e) {
            return null;
        }
    }
}
