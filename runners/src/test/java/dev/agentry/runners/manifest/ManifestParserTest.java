package dev.agentry.runners.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.Problem;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    static final String VALID = """
            providerId: sched
            label: A scheduler
            baseUrl: https://sched.example.com/api/
            auth:
              bearer:
                secretRef: sched-token
            operations:
              dispatch:
                method: POST
                pathTemplate: /jobs
                bodyTemplate: '{"name": "{{input.jobId}}", "spec": {{{input.job}}}}'
                extract:
                  evalId: $.evalId
              poll:
                method: GET
                pathTemplate: "/jobs/{{input.jobId}}/evals/{{dispatch.evalId}}"
              release:
                method: DELETE
                pathTemplate: "/jobs/{{input.jobId}}"
            response:
              statusPath: $.status
              statusMap: {pending: queued, running: running, ok: done, error: failed}
              defaultStatus: queued
            """;

    /** VALID with one line replaced (matched by its start, indentation included). */
    static String with(String lineStart, String replacement) {
        String[] lines = VALID.split("\n", -1);
        int found = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(lineStart)) {
                lines[i] = replacement;
                found++;
            }
        }
        if (found != 1) {
            throw new IllegalArgumentException(found + " lines start with '" + lineStart + "'");
        }
        return String.join("\n", lines);
    }

    static List<Problem> problems(String source) {
        return problems(source, Set.of());
    }

    static List<Problem> problems(String source, Set<String> plainHttpHosts) {
        try {
            ManifestParser.parse(source, plainHttpHosts);
        } catch (InvalidDefinition e) {
            return e.problems();
        }
        throw new AssertionError("expected the manifest to be refused:\n" + source);
    }

    static Problem only(String source) {
        List<Problem> problems = problems(source);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void a_valid_manifest_parses_with_its_defaults() {
        Manifest m = ManifestParser.parse(VALID);
        assertThat(m.baseUrl()).isEqualTo(URI.create("https://sched.example.com/api"));
        assertThat(m.dispatch().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(m.maxResponseBytes()).isEqualTo(1024 * 1024);
        assertThat(m.dispatch().extract()).containsOnlyKeys("evalId");
        assertThat(m.poll().variables()).containsExactlyInAnyOrder("input.jobId", "dispatch.evalId");
        assertThat(m.response().statusMap()).containsEntry("ok", JobState.DONE);
        assertThat(m.longPolls()).isFalse();
    }

    @Test
    void missing_fields_are_each_named_with_what_was_expected() {
        assertThat(problems("{}")).extracting(Problem::field)
                .containsExactly("providerId", "label", "baseUrl", "auth", "operations", "response");
        assertThat(problems("{}")).allSatisfy(p -> assertThat(p.message()).startsWith("required field is missing; expected"));
        assertThat(problems("{}").get(3).message()).contains("exactly one of none, api_key, bearer, basic, oauth2_client_credentials, custom_headers");

        List<Problem> ops = problems(VALID.replaceAll("(?s)operations:.*(?=response:)", "operations: {}\n"));
        assertThat(ops).extracting(Problem::field).containsExactly("operations.dispatch", "operations.poll");
        assertThat(ops.get(0).message()).contains("{method, pathTemplate, query, headers, bodyTemplate, timeoutMs, extract}");

        List<Problem> response = problems(VALID.replaceAll("(?s)response:.*", "response: {statusMap: {}}\n"));
        assertThat(response).extracting(Problem::field).containsExactly("response.statusPath", "response.statusMap", "response.defaultStatus");
        assertThat(response.get(1).message()).isEqualTo("expected 1 to 500 words, got 0");
    }

    @Test
    void wrong_enums_are_named_with_the_expected_set() {
        Problem method = only(with("    method: GET", "    method: get"));
        assertThat(method.field()).isEqualTo("operations.poll.method");
        assertThat(method.message()).isEqualTo("unknown method 'get'; expected one of GET, POST, PUT, PATCH, DELETE");

        Problem state = only(with("  statusMap:", "  statusMap: {pending: queued, ok: finished}"));
        assertThat(state.field()).isEqualTo("response.statusMap.ok");
        assertThat(state.message()).isEqualTo("expected one of queued, running, done, failed, lost, got the string 'finished'");

        Problem defaultStatus = only(with("  defaultStatus:", "  defaultStatus: pending"));
        assertThat(defaultStatus.field()).isEqualTo("response.defaultStatus");
        assertThat(defaultStatus.message()).contains("expected one of queued, running, done, failed, lost");

        List<Problem> auth = problems(VALID.replace("  bearer:\n    secretRef: sched-token", "  oauth: {}"));
        assertThat(auth).extracting(Problem::field).containsExactly("auth.oauth");
        assertThat(auth.get(0).message()).isEqualTo("unknown auth kind 'oauth'; expected one of none, api_key, bearer, basic, oauth2_client_credentials, custom_headers");
    }

    @Test
    void an_auth_must_be_exactly_one_kind() {
        Problem two = only(VALID.replace("    secretRef: sched-token", "    secretRef: sched-token\n  basic: {usernameSecretRef: u, passwordSecretRef: p}"));
        assertThat(two).isEqualTo(new Problem("auth", "expected exactly one of none, api_key, bearer, basic, oauth2_client_credentials, custom_headers, got bearer, basic"));
        assertThat(ManifestParser.parse(VALID.replace("  bearer:\n    secretRef: sched-token", "  none: {}")).auth()).isEqualTo(new Auth.None());
    }

    @Test
    void unknown_fields_are_refused_with_the_known_ones() {
        Problem top = only(VALID + "retries: 3\n");
        assertThat(top.field()).isEqualTo("retries");
        assertThat(top.message()).isEqualTo("unknown field 'retries'; expected one of auth, baseUrl, label, maxResponseBytes, operations, providerId, response");

        Problem op = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    retry: true"));
        assertThat(op.field()).isEqualTo("operations.dispatch.retry");
        assertThat(op.message()).contains("expected one of bodyTemplate, extract, headers, method, pathTemplate, query, timeoutMs");

        Problem extract = only(with("    method: GET", "    method: GET\n    extract: {x: $.x}"));
        assertThat(extract.field()).isEqualTo("operations.poll.extract");
        assertThat(extract.message()).contains("only operations.dispatch may extract");
    }

    @Test
    void plain_http_is_refused_unless_the_host_is_allowed() {
        String http = with("baseUrl:", "baseUrl: http://sched.example.com");
        Problem p = only(http);
        assertThat(p.field()).isEqualTo("baseUrl");
        assertThat(p.message()).contains("plain http to sched.example.com is refused").contains("expected https");
        assertThat(ManifestParser.parse(http, Set.of("sched.example.com")).baseUrl()).isEqualTo(URI.create("http://sched.example.com"));
        assertThat(problems(http, Set.of("127.0.0.1")).get(0).message()).contains("one of the hosts allowed for plain http: 127.0.0.1");

        Problem token = only(VALID.replace("  bearer:\n    secretRef: sched-token",
                "  oauth2_client_credentials:\n    tokenUrl: http://idp.example.com/token\n    clientIdSecretRef: id\n    clientSecretSecretRef: secret"));
        assertThat(token.field()).isEqualTo("auth.oauth2_client_credentials.tokenUrl");
        assertThat(token.message()).contains("expected https");

        assertThat(only(with("baseUrl:", "baseUrl: ftp://sched.example.com")).message()).isEqualTo("unsupported scheme 'ftp'; expected https");
        assertThat(only(with("baseUrl:", "baseUrl: /relative")).message()).contains("expected an absolute URL with a host");
    }

    @Test
    void inline_credentials_are_refused_with_a_pointer_to_secret_refs_and_never_quoted() {
        List<Problem> bearer = problems(VALID.replace("    secretRef: sched-token", "    token: s3cr3t-bearer"));
        assertThat(bearer).extracting(Problem::field).containsExactly("auth.bearer.token", "auth.bearer.secretRef");
        assertThat(bearer.get(0).message()).isEqualTo("credentials are never written in a manifest; store the value as a secret and name it with secretRef");

        List<Problem> basic = problems(VALID.replace("  bearer:\n    secretRef: sched-token", "  basic: {username: admin, password: hunter22}"));
        assertThat(basic).extracting(Problem::field).containsExactly("auth.basic.username", "auth.basic.password",
                "auth.basic.usernameSecretRef", "auth.basic.passwordSecretRef");
        assertThat(basic.get(1).message()).contains("usernameSecretRef and passwordSecretRef");

        List<Problem> headers = problems(VALID.replace("  bearer:\n    secretRef: sched-token",
                "  custom_headers:\n    headers: [{name: X-Nomad-Token, value: n0mad-s3cr3t}]"));
        assertThat(headers).extracting(Problem::field).containsExactly("auth.custom_headers.headers[0].value", "auth.custom_headers.headers[0].secretRef");
        assertThat(headers.get(0).message()).contains("name it with secretRef");

        List<Problem> oauth = problems(VALID.replace("  bearer:\n    secretRef: sched-token",
                "  oauth2_client_credentials:\n    tokenUrl: https://idp.example.com/token\n    clientId: agentry\n    clientSecret: 0auth-s3cr3t"));
        assertThat(oauth).extracting(Problem::field).contains("auth.oauth2_client_credentials.clientId", "auth.oauth2_client_credentials.clientSecret");

        for (List<Problem> ps : List.of(bearer, basic, headers, oauth)) {
            assertThat(ps.toString()).doesNotContain("s3cr3t").doesNotContain("hunter22");
        }
    }

    @Test
    void credentials_in_urls_are_refused() {
        Problem userinfo = only(with("baseUrl:", "baseUrl: https://admin:hunter22@sched.example.com"));
        assertThat(userinfo.field()).isEqualTo("baseUrl");
        assertThat(userinfo.message()).contains("credentials in a URL are refused").doesNotContain("hunter22");

        Problem tokenQuery = only(with("baseUrl:", "baseUrl: https://sched.example.com?access_token=abc123"));
        assertThat(tokenQuery.message()).contains("credentials in a URL are refused").doesNotContain("abc123");

        Problem param = only(with("    pathTemplate: \"/jobs/{{input.jobId}}/evals",
                "    pathTemplate: \"/jobs/{{input.jobId}}/evals/{{dispatch.evalId}}\"\n    query:\n"
                        + "      - {name: wait, value: \"10s\"}\n      - {name: api_key, value: k3y-literal}"));
        assertThat(param.field()).isEqualTo("operations.poll.query[1].value");
        assertThat(param.message()).contains("'api_key' looks like a credential").contains("use auth with a secretRef").doesNotContain("k3y-literal");

        Problem signature = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    query: [{name: X-Amz-Signature, value: abcdef}]"));
        assertThat(signature.field()).isEqualTo("operations.dispatch.query[0].value");

        // A templated value is not a credential written in the manifest.
        ManifestParser.parse(with("    pathTemplate: \"/jobs/{{input.jobId}}\"",
                "    pathTemplate: \"/jobs/{{input.jobId}}\"\n    query: [{name: sig, value: \"{{dispatch.evalId}}\"}]"));

        Problem authHeader = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    headers: [{name: Authorization, value: Bearer abc}]"));
        assertThat(authHeader.field()).isEqualTo("operations.dispatch.headers[0].name");
        assertThat(authHeader.message()).contains("configure them in auth");

        Problem tokenHeader = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    headers: [{name: X-Vault-Token, value: hvs.abc}]"));
        assertThat(tokenHeader.field()).isEqualTo("operations.dispatch.headers[0].value");
    }

    @Test
    void a_template_over_64_kib_is_refused() {
        String huge = "{\"pad\": \"" + "x".repeat(70 * 1024) + "\"}";
        Problem p = only(with("    bodyTemplate:", "    bodyTemplate: '" + huge + "'"));
        assertThat(p.field()).isEqualTo("operations.dispatch.bodyTemplate");
        assertThat(p.message()).isEqualTo("the template is " + (huge.length()) + " bytes; at most 65536 (64 KiB) are allowed");
    }

    @Test
    void a_bad_jsonpath_is_named_when_the_manifest_is_parsed() {
        Problem bad = only(with("  statusPath:", "  statusPath: \"$.status[?(@.x ==]\""));
        assertThat(bad.field()).isEqualTo("response.statusPath");
        assertThat(bad.message()).startsWith("'$.status[?(@.x ==]' is not a valid JSONPath");

        Problem noDollar = only(with("  statusPath:", "  statusPath: status"));
        assertThat(noDollar.message()).isEqualTo("expected a JSONPath starting with $, such as $.status.state, got 'status'");

        Problem extract = only(with("      evalId:", "      evalId: \"$..[\""));
        assertThat(extract.field()).isEqualTo("operations.dispatch.extract.evalId");
    }

    @Test
    void every_dispatch_value_used_must_be_extracted_and_inputs_known_where_used() {
        Problem unknown = only(with("    pathTemplate: \"/jobs/{{input.jobId}}/evals", "    pathTemplate: \"/jobs/{{input.jobId}}/nodes/{{dispatch.nodeId}}\""));
        assertThat(unknown.field()).isEqualTo("operations.poll.pathTemplate");
        assertThat(unknown.message()).isEqualTo("{{dispatch.nodeId}} is not extracted; declare it in operations.dispatch.extract as nodeId: <JSONPath> (extracted now: evalId)");

        Problem tooEarly = only(with("    pathTemplate: /jobs", "    pathTemplate: \"/jobs/{{dispatch.evalId}}\""));
        assertThat(tooEarly.field()).isEqualTo("operations.dispatch.pathTemplate");
        assertThat(tooEarly.message()).contains("only known once dispatch has answered");

        Problem kindInPoll = only(with("    pathTemplate: \"/jobs/{{input.jobId}}/evals", "    pathTemplate: \"/jobs/{{input.kind}}/{{dispatch.evalId}}\""));
        assertThat(kindInPoll.message()).isEqualTo("{{input.kind}} is not known when poll runs (after a restart only the job id is); "
                + "poll has input.jobId, input.waitMs, input.outputFrom and dispatch.<name>");

        Problem typo = only(with("    pathTemplate: \"/jobs/{{input.jobId}}\"", "    pathTemplate: \"/jobs/{{input.jobid}}\""));
        assertThat(typo.field()).isEqualTo("operations.release.pathTemplate");
        assertThat(typo.message()).startsWith("unknown variable {{input.jobid}}; expected one of input.jobId, input.job,");
    }

    @Test
    void templates_are_logic_less_and_only_the_spec_goes_in_raw() {
        assertThat(only(with("    pathTemplate: \"/jobs/{{input.jobId}}\"", "    pathTemplate: \"/jobs/{{{input.jobId}}}\"")).message())
                .contains("inserts a value unescaped, which is not allowed here");
        assertThat(only(with("    bodyTemplate:", "    bodyTemplate: '{\"name\": {{{input.jobId}}}}'")).message())
                .contains("only {{{input.job}}} (the spec, already JSON) may be");
        assertThat(only(with("    bodyTemplate:", "    bodyTemplate: '{{#input.job}}x{{/input.job}}'")).message())
                .contains("templates are logic-less");
        assertThat(only(with("    bodyTemplate:", "    bodyTemplate: '{\"a\": \"{{input.jobId\"}'")).message())
                .contains("is never closed");
    }

    @Test
    void a_body_must_render_to_json_unless_a_content_type_says_otherwise() {
        Problem p = only(with("    bodyTemplate:", "    bodyTemplate: '{\"spec\": \"{{{input.job}}}\"}'"));
        assertThat(p.field()).isEqualTo("operations.dispatch.bodyTemplate");
        assertThat(p.message()).startsWith("does not render to valid JSON").contains("{{{input.job}}}");

        ManifestParser.parse(with("    bodyTemplate:",
                "    headers: [{name: Content-Type, value: text/plain}]\n    bodyTemplate: 'job {{input.jobId}}'"));
    }

    @Test
    void timeouts_and_sizes_are_bounded() {
        Problem zero = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    timeoutMs: 0"));
        assertThat(zero).isEqualTo(new Problem("operations.dispatch.timeoutMs", "expected a whole number from 1 to 120000, got 0"));
        Problem big = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    timeoutMs: 120001"));
        assertThat(big.message()).isEqualTo("expected a whole number from 1 to 120000, got 120001");
        Problem text = only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs\n    timeoutMs: '5000'"));
        assertThat(text.message()).isEqualTo("expected a whole number from 1 to 120000, got the string '5000'");

        Problem bytes = only(VALID + "maxResponseBytes: 9000000\n");
        assertThat(bytes).isEqualTo(new Problem("maxResponseBytes", "expected a whole number from 1024 to 8388608, got 9000000"));
        assertThat(ManifestParser.parse(VALID + "maxResponseBytes: 8388608\n").maxResponseBytes()).isEqualTo(8 * 1024 * 1024);
    }

    @Test
    void paths_start_with_a_slash_and_carry_no_query() {
        Problem relative = only(with("    pathTemplate: /jobs", "    pathTemplate: jobs"));
        assertThat(relative).isEqualTo(new Problem("operations.dispatch.pathTemplate", "expected a path starting with '/', such as /jobs/{{input.jobId}}, got 'jobs'"));
        Problem query = only(with("    pathTemplate: \"/jobs/{{input.jobId}}\"", "    pathTemplate: \"/jobs/{{input.jobId}}?purge=true\""));
        assertThat(query.message()).isEqualTo("a path has no query or fragment; put parameters in operations.release.query as {name, value}");
        assertThat(only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs/../admin")).message()).contains("'..' segments");
        assertThat(only(with("    pathTemplate: /jobs", "    pathTemplate: /my jobs")).message()).contains("must be percent-encoded");
        assertThat(only(with("    pathTemplate: /jobs", "    pathTemplate: /jobs/100%")).message()).contains("a lone '%'");
        ManifestParser.parse(with("    pathTemplate: /jobs", "    pathTemplate: /jobs/a%2Fb"));
    }

    @Test
    void a_get_has_no_body_and_reasons_need_a_word_for_lost() {
        assertThat(only(with("    method: POST", "    method: GET")).message()).isEqualTo("a GET request has no body; remove bodyTemplate or use POST");
        Problem reason = only(with("  defaultStatus:", "  defaultStatus: queued\n  reasonPath: $.reason"));
        assertThat(reason.field()).isEqualTo("response.reasonPath");
        assertThat(reason.message()).contains("statusMap maps no word to lost");
    }

    @Test
    void every_problem_is_reported_at_once() {
        String bad = """
                providerId: Sched!
                label: yes
                baseUrl: http://sched.example.com
                auth: {bearer: {token: abc}}
                operations:
                  dispatch: {method: FETCH, pathTemplate: jobs, timeoutMs: 0}
                  poll: {method: GET, pathTemplate: "/jobs/{{dispatch.id}}"}
                response: {statusPath: "$[", statusMap: {ok: fine}, defaultStatus: done}
                """;
        assertThat(problems(bad)).extracting(Problem::field).containsExactly(
                "providerId", "label", "baseUrl", "auth.bearer.token", "auth.bearer.secretRef",
                "operations.dispatch.method", "operations.dispatch.pathTemplate", "operations.dispatch.timeoutMs",
                "operations.poll.pathTemplate", "response.statusPath", "response.statusMap.ok");
        assertThat(problems(bad).get(1).message()).contains("quote it");
    }

    @Test
    void text_that_is_not_yaml_or_json_is_refused_with_where() {
        assertThat(only("providerId: [unclosed").message()).startsWith("not valid YAML or JSON: line");
        Problem broken = only("auth:\n  bearer: {secretRef: t}\n token: hunter22-inline");
        assertThat(broken.message()).startsWith("not valid YAML or JSON: line 3").doesNotContain("hunter22");
        assertThat(only("").message()).startsWith("the manifest is empty");
        assertThat(only("- a list").message()).startsWith("expected an object with providerId");
    }
}
