package dev.agentry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.server.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The jar serves the web page: without a token, at every deep link, with its assets cached for good. */
class WebPageTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> anonymous(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void every_screen_of_the_page_is_the_same_index_without_a_token() throws Exception {
        String index = anonymous("/").body();
        assertThat(index).contains("<div id=\"root\"></div>").contains("/assets/");
        for (String deepLink : new String[] {"/login", "/w/default/board", "/w/default/runs/42?step=build", "/w/other/events?status=failed"}) {
            var r = anonymous(deepLink);
            assertThat(r.statusCode()).as(deepLink).isEqualTo(200);
            assertThat(r.body()).as(deepLink).isEqualTo(index);
            assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString().contains("script-src 'self'");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        }
    }

    @Test
    void assets_are_served_with_their_type_and_cached_for_good_and_nothing_else_is() throws Exception {
        var script = Pattern.compile("/assets/([A-Za-z0-9._-]+\\.js)").matcher(anonymous("/").body());
        assertThat(script.find()).isTrue();
        var r = anonymous("/assets/" + script.group(1));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/javascript");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        for (String missing : new String[] {"/assets/nope.js", "/assets/..%2Fopenapi.json", "/assets/index.html"}) {
            var refused = anonymous(missing);
            assertThat(refused.statusCode()).as(missing).isEqualTo(404);
            assertThat(refused.body()).as(missing).contains("\"field\":\"path\"");
        }
    }

    @Test
    void the_api_behind_the_page_still_needs_a_token() throws Exception {
        assertThat(anonymous("/api/workspaces/default/runs").statusCode()).isEqualTo(401);
        assertThat(anonymous("/api/workspaces/default/events").statusCode()).isEqualTo(401);
        // a dot segment is not normalised into the API: it is one more deep link of the page
        assertThat(anonymous("/w/../api/workspaces/default/runs").body()).isEqualTo(anonymous("/").body());
    }
}
