package dev.agentry.runners.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.agentry.core.job.JobState;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.runners.protocol.FieldReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a runner pool manifest from YAML or JSON and validates all of it, reporting every problem at once with
 * the path to the field and what was expected there (docs/manifests.md). Nothing is fetched or resolved: secrets
 * stay references, and templates and JSONPath expressions are compiled so a bad one is named now rather than
 * failing a job later.
 */
public final class ManifestParser {
    private static final Pattern PROVIDER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SECRET_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    private static final Pattern EXTRACT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern PATH_LITERAL = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");
    private static final Pattern BAD_PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final int MAX_PARAMS = 50;
    private static final int MAX_STATUS_WORDS = 500;
    private static final int MAX_JSONPATH = 1024;
    private static final long MAX_TIMEOUT_MS = 120_000;
    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private static final List<String> TOP_FIELDS = List.of("providerId", "label", "baseUrl", "auth", "operations", "response", "maxResponseBytes");
    private static final List<String> OPERATIONS = List.of("dispatch", "poll", "release");
    private static final List<String> OPERATION_FIELDS = List.of("method", "pathTemplate", "query", "headers", "bodyTemplate", "timeoutMs", "extract");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final List<String> AUTH_KINDS = List.of("none", "api_key", "bearer", "basic", "oauth2_client_credentials", "custom_headers");
    private static final List<String> STATES = Arrays.stream(JobState.values()).map(JobState::wireName).toList();
    private static final List<String> RESPONSE_FIELDS = List.of("statusPath", "statusMap", "defaultStatus", "reasonPath", "progress",
            "heartbeatPath", "branchPath", "headCommitPath", "prUrlPath", "summaryPath", "changedFilesPath", "outputsPath",
            "usagePath", "exitCodePath", "logPath", "errorPath", "errorCausePath", "output");
    /** Field names that look like a credential written inline: refused with a pointer to secretRef, not as "unknown". */
    private static final Set<String> INLINE_CREDENTIALS = Set.of("value", "token", "password", "secret", "key", "apiKey", "api_key",
            "clientId", "client_id", "clientSecret", "client_secret", "username", "user", "accessToken", "access_token",
            "credential", "credentials", "bearer");
    /** Parts of a parameter or header name that say its value is a credential. */
    private static final Set<String> CREDENTIAL_WORDS = Set.of("token", "secret", "password", "passwd", "pwd", "signature", "sig",
            "key", "apikey", "accesskey", "credential", "credentials", "auth", "authorization", "jwt", "session", "cookie");
    /** Headers the HTTP client sets itself (java.net.http refuses them). */
    private static final Set<String> CLIENT_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");
    /** Headers that carry credentials: they belong in auth, resolved from secrets. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");

    private static final List<String> DISPATCH_INPUTS = List.of("input.jobId", "input.job", "input.kind", "input.taskBranch", "input.runId", "input.stepId");
    private static final List<String> POLL_INPUTS = List.of("input.jobId", "input.waitMs", "input.outputFrom");
    private static final List<String> RELEASE_INPUTS = List.of("input.jobId");
    private static final Set<String> ALL_INPUTS = Set.of("input.jobId", "input.job", "input.kind", "input.taskBranch", "input.runId",
            "input.stepId", "input.waitMs", "input.outputFrom");

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final FieldReader in = new FieldReader();
    private final Set<String> plainHttpHosts;
    /** Every template of an operation with the field it was written in, for the checks that need all of them. */
    private final Map<String, Map<String, ManifestTemplate>> templates = new HashMap<>();
    /** A literal Content-Type header per operation, when one is set. */
    private final Map<String, String> contentTypes = new HashMap<>();
    /** The names dispatch extracts, kept even when dispatch has problems so poll's references are judged fairly. */
    private final Set<String> extractNames = new LinkedHashSet<>();

    private ManifestParser(Set<String> plainHttpHosts) {
        this.plainHttpHosts = plainHttpHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** Parses with https required everywhere. */
    public static Manifest parse(String source) {
        return parse(source, Set.of());
    }

    /**
     * Parses and validates; throws {@link InvalidDefinition} listing every problem.
     *
     * @param plainHttpHosts hosts that may be reached over plain http (such as {@code 127.0.0.1} and
     *                       {@code localhost} for a runner daemon on the same machine); every other URL must be https
     */
    public static Manifest parse(String source, Set<String> plainHttpHosts) {
        if (source == null || source.isBlank()) {
            throw InvalidDefinition.of("", "the manifest is empty; expected a YAML or JSON object with providerId, label, baseUrl, auth, operations and response");
        }
        JsonNode root;
        try {
            root = YAML.readTree(source);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
            throw InvalidDefinition.of("", "not valid YAML or JSON: " + where + withoutQuotedSource(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || (root.isTextual() && root.asText().isEmpty())) {
            throw InvalidDefinition.of("", "the manifest is empty; expected a YAML or JSON object with providerId, label, baseUrl, auth, operations and response");
        }
        return new ManifestParser(plainHttpHosts).manifest(root);
    }

    private Manifest manifest(JsonNode root) {
        if (!in.object(root, "", "an object with providerId, label, baseUrl, auth, operations and response")) {
            in.throwIfAny();
        }
        in.unknownFields(root, "", TOP_FIELDS);
        String providerId = in.text(root, "providerId", "", true);
        if (providerId != null && !PROVIDER_ID.matcher(providerId).matches()) {
            in.problem("providerId", "'" + providerId + "' is not a provider id; expected 1 to 63 lower-case letters, digits or '-'");
        }
        String label = in.text(root, "label", "", true);
        if (label != null && label.length() > 200) {
            in.problem("label", "expected at most 200 characters, got " + label.length());
        }
        URI baseUrl = url(root, "baseUrl", "");
        Auth auth = auth(root.get("auth"));
        Long maxResponseBytes = in.integer(root, "maxResponseBytes", "", false, 1024, Manifest.MAX_RESPONSE_BYTES);

        Manifest.Operation dispatch = null;
        Manifest.Operation poll = null;
        Manifest.Operation release = null;
        JsonNode ops = in.field(root, "operations", "", true, "an object with dispatch, poll and optionally release");
        if (ops != null && in.object(ops, "operations", "an object with dispatch, poll and optionally release")) {
            in.unknownFields(ops, "operations", OPERATIONS);
            dispatch = operation(ops, "dispatch", true);
            poll = operation(ops, "poll", true);
            release = operation(ops, "release", false);
            checkVariables("dispatch", DISPATCH_INPUTS, extractNames);
            checkVariables("poll", POLL_INPUTS, extractNames);
            checkVariables("release", RELEASE_INPUTS, extractNames);
        }
        ResponseMapping response = response(root.get("response"));
        in.throwIfAny();
        return new Manifest(providerId, label, baseUrl, auth, dispatch, poll, release, response,
                maxResponseBytes == null ? Manifest.DEFAULT_MAX_RESPONSE_BYTES : maxResponseBytes.intValue());
    }

    // ---------------------------------------------------------------- URLs

    private URI url(JsonNode node, String field, String path) {
        String s = in.text(node, field, path, true);
        if (s == null) {
            return null;
        }
        String at = FieldReader.join(path, field);
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            in.problem(at, "not a URL (" + e.getReason() + "); expected an absolute URL such as https://scheduler.example.com");
            return null;
        }
        if (u.getRawUserInfo() != null) {
            // Said without quoting the URL: its user info is the credential.
            in.problem(at, "credentials in a URL are refused; remove the user info and use auth with a secretRef");
            return null;
        }
        if (u.getScheme() == null || u.getHost() == null) {
            in.problem(at, "expected an absolute URL with a host, such as https://scheduler.example.com, got '" + s + "'");
            return null;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        if (scheme.equals("http")) {
            if (!plainHttpHosts.contains(host)) {
                in.problem(at, "plain http to " + host + " is refused (secrets and job specs would cross the network in clear); expected https, "
                        + (plainHttpHosts.isEmpty() ? "or a host allowed for plain http in the server's configuration"
                        : "or one of the hosts allowed for plain http: " + String.join(", ", plainHttpHosts.stream().sorted().toList())));
                return null;
            }
        } else if (!scheme.equals("https")) {
            in.problem(at, "unsupported scheme '" + u.getScheme() + "'; expected https");
            return null;
        }
        if (u.getRawQuery() != null) {
            boolean credential = Arrays.stream(u.getRawQuery().split("&")).anyMatch(p -> looksLikeCredential(p.split("=", 2)[0]));
            in.problem(at, credential
                    ? "credentials in a URL are refused; remove the query and use auth with a secretRef"
                    : "a query is not allowed here; put parameters in an operation's query list");
            return null;
        }
        if (u.getRawFragment() != null) {
            in.problem(at, "a fragment ('#...') is not allowed in a URL here");
            return null;
        }
        String prefix = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
        return URI.create(scheme + "://" + u.getRawAuthority() + prefix);
    }

    // ---------------------------------------------------------------- auth

    private Auth auth(JsonNode node) {
        String expected = "exactly one of " + String.join(", ", AUTH_KINDS);
        if (node == null || node.isNull()) {
            in.problem("auth", "required field is missing; expected " + expected + " (use none: {} for a pool without credentials)");
            return null;
        }
        if (!in.object(node, "auth", expected)) {
            return null;
        }
        var kinds = new ArrayList<String>();
        node.fieldNames().forEachRemaining(kinds::add);
        for (String k : kinds) {
            if (!AUTH_KINDS.contains(k)) {
                in.problem("auth." + k, "unknown auth kind '" + k + "'; expected one of " + String.join(", ", AUTH_KINDS));
            }
        }
        if (kinds.size() != 1) {
            in.problem("auth", "expected " + expected + ", got " + (kinds.isEmpty() ? "none" : String.join(", ", kinds)));
            return null;
        }
        String kind = kinds.get(0);
        String path = "auth." + kind;
        JsonNode n = node.get(kind);
        return switch (kind) {
            case "none" -> {
                if (!n.isNull() && !(n.isObject() && n.isEmpty())) {
                    in.problem(path, "expected {} (no credentials), got " + FieldReader.kind(n));
                }
                yield new Auth.None();
            }
            case "api_key" -> {
                if (!authFields(n, path, "{headerName, secretRef, valuePrefix}", List.of("headerName", "secretRef", "valuePrefix"), "secretRef")) {
                    yield null;
                }
                String header = headerName(n, "headerName", path);
                yield new Auth.ApiKey(header, secretRef(n, "secretRef", path), in.text(n, "valuePrefix", path, false));
            }
            case "bearer" -> {
                if (!authFields(n, path, "{secretRef}", List.of("secretRef"), "secretRef")) {
                    yield null;
                }
                yield new Auth.Bearer(secretRef(n, "secretRef", path));
            }
            case "basic" -> {
                if (!authFields(n, path, "{usernameSecretRef, passwordSecretRef}", List.of("usernameSecretRef", "passwordSecretRef"),
                        "usernameSecretRef and passwordSecretRef")) {
                    yield null;
                }
                yield new Auth.Basic(secretRef(n, "usernameSecretRef", path), secretRef(n, "passwordSecretRef", path));
            }
            case "oauth2_client_credentials" -> {
                if (!authFields(n, path, "{tokenUrl, clientIdSecretRef, clientSecretSecretRef, scope, audience}",
                        List.of("tokenUrl", "clientIdSecretRef", "clientSecretSecretRef", "scope", "audience"),
                        "clientIdSecretRef and clientSecretSecretRef")) {
                    yield null;
                }
                yield new Auth.OAuth2ClientCredentials(url(n, "tokenUrl", path), secretRef(n, "clientIdSecretRef", path),
                        secretRef(n, "clientSecretSecretRef", path), in.text(n, "scope", path, false), in.text(n, "audience", path, false));
            }
            case "custom_headers" -> {
                if (!authFields(n, path, "{headers: [{name, secretRef}]}", List.of("headers"), "headers[].secretRef")) {
                    yield null;
                }
                yield customHeaders(n, path);
            }
            default -> null;
        };
    }

    /** Checks an auth kind's object: known fields, and inline credentials refused with where they belong instead. */
    private boolean authFields(JsonNode n, String path, String shape, List<String> known, String useInstead) {
        if (n == null || n.isNull()) {
            in.problem(path, "expected " + shape + ", got nothing");
            return false;
        }
        if (!in.object(n, path, shape)) {
            return false;
        }
        inlineOrUnknown(n, path, known, useInstead);
        return true;
    }

    private void inlineOrUnknown(JsonNode n, String path, List<String> known, String useInstead) {
        n.fieldNames().forEachRemaining(f -> {
            if (known.contains(f)) {
                return;
            }
            if (INLINE_CREDENTIALS.contains(f)) {
                in.problem(FieldReader.join(path, f), "credentials are never written in a manifest; store the value as a secret and name it with "
                        + useInstead);
            } else {
                in.problem(FieldReader.join(path, f), "unknown field '" + f + "'; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        });
    }

    private Auth.CustomHeaders customHeaders(JsonNode n, String path) {
        JsonNode list = in.field(n, "headers", path, true, "a list of {name, secretRef}");
        if (list == null) {
            return null;
        }
        String at = path + ".headers";
        if (!list.isArray() || list.isEmpty() || list.size() > 20) {
            in.problem(at, "expected a list of 1 to 20 {name, secretRef}, got " + (list.isArray() ? list.size() + " entries" : FieldReader.describe(list)));
            return null;
        }
        var headers = new ArrayList<Auth.SecretHeader>();
        for (int i = 0; i < list.size(); i++) {
            String p = at + "[" + i + "]";
            JsonNode h = list.get(i);
            if (!in.object(h, p, "{name, secretRef}")) {
                continue;
            }
            inlineOrUnknown(h, p, List.of("name", "secretRef"), "secretRef");
            String name = headerName(h, "name", p);
            String ref = secretRef(h, "secretRef", p);
            if (name != null && ref != null) {
                headers.add(new Auth.SecretHeader(name, ref));
            }
        }
        return new Auth.CustomHeaders(headers);
    }

    private String secretRef(JsonNode n, String field, String path) {
        if (in.field(n, field, path, true, "the name of a secret in the server's secret store") == null) {
            return null;
        }
        String ref = in.text(n, field, path, true);
        if (ref != null && !SECRET_REF.matcher(ref).matches()) {
            // Not quoted: what was written where a name belongs might be the secret itself.
            in.problem(FieldReader.join(path, field), "expected the name of a secret: up to 200 letters, digits, '.', '_', ':', '/' or '-'");
            return null;
        }
        return ref;
    }

    private String headerName(JsonNode n, String field, String path) {
        String name = in.text(n, field, path, true);
        if (name == null) {
            return null;
        }
        if (!HEADER_NAME.matcher(name).matches()) {
            in.problem(FieldReader.join(path, field), "'" + name + "' is not a header name; expected letters, digits and -!#$%&'*+.^_`|~");
            return null;
        }
        if (CLIENT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            in.problem(FieldReader.join(path, field), "'" + name + "' is set by the HTTP client and cannot be set here");
            return null;
        }
        return name;
    }

    // ---------------------------------------------------------------- operations

    private Manifest.Operation operation(JsonNode ops, String role, boolean required) {
        String path = "operations." + role;
        String shape = "{method, pathTemplate, query, headers, bodyTemplate, timeoutMs" + (role.equals("dispatch") ? ", extract}" : "}");
        JsonNode n = in.field(ops, role, "operations", required, shape);
        if (n == null || !in.object(n, path, shape)) {
            return null;
        }
        int before = in.count();
        var located = new LinkedHashMap<String, ManifestTemplate>();
        templates.put(role, located);
        List<String> known = role.equals("dispatch") ? OPERATION_FIELDS : OPERATION_FIELDS.subList(0, OPERATION_FIELDS.size() - 1);
        n.fieldNames().forEachRemaining(f -> {
            if (f.equals("extract") && !role.equals("dispatch")) {
                in.problem(path + ".extract", "only operations.dispatch may extract values from its answer; poll and release use them as {{dispatch.<name>}}");
            } else if (!known.contains(f)) {
                in.problem(path + "." + f, "unknown field '" + f + "'; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        });
        String method = in.text(n, "method", path, true);
        if (method != null && !METHODS.contains(method)) {
            in.problem(path + ".method", "unknown method '" + method + "'; expected one of " + String.join(", ", METHODS));
        }
        ManifestTemplate pathTemplate = pathTemplate(n, path);
        if (pathTemplate != null) {
            located.put(path + ".pathTemplate", pathTemplate);
        }
        List<Manifest.Param> query = params(n, "query", path, ManifestTemplate.Context.QUERY, located);
        List<Manifest.Param> headers = params(n, "headers", path, ManifestTemplate.Context.HEADER, located);
        headers.stream().filter(h -> h.name().equalsIgnoreCase("Content-Type") && h.value().variables().isEmpty())
                .forEach(h -> contentTypes.put(role, h.value().source()));
        ManifestTemplate body = null;
        String bodySource = in.text(n, "bodyTemplate", path, false);
        if (bodySource != null) {
            if ("GET".equals(method)) {
                in.problem(path + ".bodyTemplate", "a GET request has no body; remove bodyTemplate or use POST");
            }
            body = template(bodySource, ManifestTemplate.Context.BODY, path + ".bodyTemplate");
            if (body != null) {
                located.put(path + ".bodyTemplate", body);
            }
        }
        Long timeoutMs = in.integer(n, "timeoutMs", path, false, 1, MAX_TIMEOUT_MS);
        Map<String, JsonPath> extract = role.equals("dispatch") ? extract(n.get("extract"), path + ".extract") : Map.of();
        if (in.count() > before) {
            return null;
        }
        return new Manifest.Operation(method, pathTemplate, query, headers, body,
                Duration.ofMillis(timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs), extract);
    }

    private ManifestTemplate pathTemplate(JsonNode n, String path) {
        String at = path + ".pathTemplate";
        String s = in.text(n, "pathTemplate", path, true);
        if (s == null) {
            return null;
        }
        if (!s.startsWith("/")) {
            in.problem(at, "expected a path starting with '/', such as /jobs/{{input.jobId}}, got '" + abbreviate(s) + "'");
            return null;
        }
        ManifestTemplate t = template(s, ManifestTemplate.Context.PATH, at);
        if (t == null) {
            return null;
        }
        String literal = t.literalText();
        if (literal.contains("?") || literal.contains("#")) {
            in.problem(at, "a path has no query or fragment; put parameters in " + path + ".query as {name, value}");
            return null;
        }
        if (!PATH_LITERAL.matcher(literal).matches() || BAD_PERCENT.matcher(literal).find()) {
            in.problem(at, "the path has characters that must be percent-encoded (such as spaces, quotes or a lone '%'); write them as %XX");
            return null;
        }
        if (Arrays.asList(s.split("/")).stream().anyMatch(seg -> seg.equals("..") || seg.equals("."))) {
            in.problem(at, "'.' and '..' segments are not allowed in a path");
            return null;
        }
        return t;
    }

    private List<Manifest.Param> params(JsonNode n, String field, String path, ManifestTemplate.Context context,
                                        Map<String, ManifestTemplate> located) {
        var params = new ArrayList<Manifest.Param>();
        JsonNode list = n.get(field);
        String at = path + "." + field;
        if (list == null || list.isNull()) {
            return params;
        }
        if (!list.isArray()) {
            in.problem(at, "expected a list of {name, value}, got " + FieldReader.describe(list));
            return params;
        }
        if (list.size() > MAX_PARAMS) {
            in.problem(at, "at most " + MAX_PARAMS + " entries are allowed, got " + list.size());
            return params;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = at + "[" + i + "]";
            JsonNode e = list.get(i);
            if (!in.object(e, p, "{name, value}")) {
                continue;
            }
            in.unknownFields(e, p, List.of("name", "value"));
            String name = context == ManifestTemplate.Context.HEADER ? headerName(e, "name", p) : in.text(e, "name", p, true);
            JsonNode rawValue = e.get("value");
            String value = in.text(e, "value", p, false);
            if (value == null && (rawValue == null || rawValue.isNull())) {
                in.problem(p + ".value", "required field is missing; expected a string (a template such as {{input.jobId}}, or literal text)");
            }
            if (name == null || value == null) {
                continue;
            }
            if (name.contains("{{")) {
                in.problem(p + ".name", "names are literal; only values may be templates");
                continue;
            }
            if (name.length() > 256) {
                in.problem(p + ".name", "expected at most 256 characters, got " + name.length());
                continue;
            }
            if (context == ManifestTemplate.Context.HEADER && CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                in.problem(p + ".name", "'" + name + "' carries credentials; configure them in auth (resolved from secrets), not as a header");
                continue;
            }
            if (context == ManifestTemplate.Context.HEADER && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
                in.problem(p + ".value", "a header value cannot contain a line break");
                continue;
            }
            ManifestTemplate t = template(value, context, p + ".value");
            if (t == null) {
                continue;
            }
            if (t.variables().isEmpty() && looksLikeCredential(name)) {
                // The value is not quoted back: it may well be the credential.
                in.problem(p + ".value", "'" + name + "' looks like a credential and its value is written literally; credentials are never written in "
                        + "a manifest: use auth with a secretRef" + (context == ManifestTemplate.Context.QUERY ? " (api_key puts a secret in a header)" : ""));
                continue;
            }
            located.put(p + ".value", t);
            params.add(new Manifest.Param(name, t));
        }
        return params;
    }

    private Map<String, JsonPath> extract(JsonNode n, String path) {
        var extract = new LinkedHashMap<String, JsonPath>();
        if (n == null || n.isNull()) {
            return extract;
        }
        if (!in.object(n, path, "a map of name to JSONPath, such as {evalId: $.EvalID}")) {
            return extract;
        }
        n.fieldNames().forEachRemaining(name -> {
            if (!EXTRACT_NAME.matcher(name).matches()) {
                in.problem(path + "." + name, "'" + name + "' is not a name; expected letters, digits and '_', not starting with a digit");
                return;
            }
            extractNames.add(name);
            JsonPath p = jsonPath(n, name, path, true);
            if (p != null) {
                extract.put(name, p);
            }
        });
        return extract;
    }

    private ManifestTemplate template(String source, ManifestTemplate.Context context, String at) {
        try {
            return ManifestTemplate.compile(source, context);
        } catch (IllegalArgumentException e) {
            in.problem(at, e.getMessage());
            return null;
        }
    }

    /** Every variable must be one the operation knows, and every {{dispatch.x}} extracted. Then bodies must render to JSON. */
    private void checkVariables(String role, List<String> inputs, Set<String> extracted) {
        Map<String, ManifestTemplate> located = templates.getOrDefault(role, Map.of());
        String allInputs = "input.jobId, input.job, input.kind, input.taskBranch, input.runId, input.stepId, input.waitMs, input.outputFrom";
        located.forEach((at, t) -> {
            int before = in.count();
            for (String v : t.variables()) {
                if (v.startsWith("dispatch.")) {
                    String name = v.substring("dispatch.".length());
                    if (role.equals("dispatch")) {
                        in.problem(at, "{{" + v + "}} is only known once dispatch has answered; use it in poll or release");
                    } else if (!extracted.contains(name)) {
                        in.problem(at, "{{" + v + "}} is not extracted; declare it in operations.dispatch.extract as " + name
                                + ": <JSONPath>" + (extracted.isEmpty() ? "" : " (extracted now: " + String.join(", ", extracted) + ")"));
                    }
                } else if (!ALL_INPUTS.contains(v)) {
                    in.problem(at, "unknown variable {{" + v + "}}; expected one of " + allInputs + ", or dispatch.<name> from operations.dispatch.extract");
                } else if (!inputs.contains(v)) {
                    in.problem(at, "{{" + v + "}} is not known when " + role + " runs" + (role.equals("dispatch") ? "" : " (after a restart only the job id is)")
                            + "; " + role + " has " + String.join(", ", inputs) + (role.equals("dispatch") ? "" : " and dispatch.<name>"));
                }
            }
            if (in.count() == before && t.context() == ManifestTemplate.Context.BODY && jsonBody(role)) {
                checkRendersJson(t, at);
            }
        });
    }

    /** A body is checked as JSON unless the operation says, with a literal Content-Type header, that it sends something else. */
    private boolean jsonBody(String role) {
        String contentType = contentTypes.get(role);
        return contentType == null || contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    private void checkRendersJson(ManifestTemplate t, String at) {
        var input = new HashMap<String, Object>();
        ALL_INPUTS.forEach(v -> input.put(v.substring("input.".length()), "sample"));
        input.put("job", "{\"version\":1,\"jobId\":\"sample\"}");
        var dispatch = new HashMap<String, Object>();
        t.variables().stream().filter(v -> v.startsWith("dispatch.")).forEach(v -> dispatch.put(v.substring("dispatch.".length()), "sample"));
        String rendered = t.render(Map.of("input", input, "dispatch", dispatch));
        try {
            JSON.readTree(rendered);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            in.problem(at, "does not render to valid JSON" + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")")
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + "; insert the spec as a JSON value with {{{input.job}}} or inside a string with \"{{input.job}}\", and put other variables inside strings"
                    + " (or set a non-JSON Content-Type header)");
        }
    }

    // ---------------------------------------------------------------- response

    private ResponseMapping response(JsonNode n) {
        String shape = "an object with statusPath, statusMap and defaultStatus (and optional result paths)";
        if (n == null || n.isNull()) {
            in.problem("response", "required field is missing; expected " + shape);
            return null;
        }
        if (!in.object(n, "response", shape)) {
            return null;
        }
        String path = "response";
        in.unknownFields(n, path, RESPONSE_FIELDS);
        JsonPath statusPath = jsonPath(n, "statusPath", path, true);
        Map<String, JobState> statusMap = statusMap(n);
        JobState defaultStatus = null;
        String d = in.text(n, "defaultStatus", path, true);
        if (d != null) {
            defaultStatus = state(d);
            if (defaultStatus == null) {
                in.problem(path + ".defaultStatus", "unknown state '" + d + "'; expected one of " + String.join(", ", STATES));
            }
        }
        JsonPath reasonPath = jsonPath(n, "reasonPath", path, false);
        if (reasonPath != null && statusMap != null && !statusMap.containsValue(JobState.LOST)) {
            in.problem(path + ".reasonPath", "reasons only count when they map to lost, and statusMap maps no word to lost; add the reasons (such as Evicted: lost) to statusMap");
        }
        ResponseMapping.Progress progress = null;
        JsonNode p = n.get("progress");
        if (p != null && !p.isNull() && in.object(p, path + ".progress", "{completedPath, inProgressPath, totalPath}")) {
            in.unknownFields(p, path + ".progress", List.of("completedPath", "inProgressPath", "totalPath"));
            progress = new ResponseMapping.Progress(jsonPath(p, "completedPath", path + ".progress", false),
                    jsonPath(p, "inProgressPath", path + ".progress", false), jsonPath(p, "totalPath", path + ".progress", false));
        }
        ResponseMapping.OutputPaths output = null;
        JsonNode o = n.get("output");
        if (o != null && !o.isNull() && in.object(o, path + ".output", "{textPath, fromPath, nextPath}")) {
            in.unknownFields(o, path + ".output", List.of("textPath", "fromPath", "nextPath"));
            output = new ResponseMapping.OutputPaths(jsonPath(o, "textPath", path + ".output", true),
                    jsonPath(o, "fromPath", path + ".output", false), jsonPath(o, "nextPath", path + ".output", false));
        }
        JsonPath heartbeat = jsonPath(n, "heartbeatPath", path, false);
        JsonPath branch = jsonPath(n, "branchPath", path, false);
        JsonPath headCommit = jsonPath(n, "headCommitPath", path, false);
        JsonPath prUrl = jsonPath(n, "prUrlPath", path, false);
        JsonPath summary = jsonPath(n, "summaryPath", path, false);
        JsonPath changedFiles = jsonPath(n, "changedFilesPath", path, false);
        JsonPath outputs = jsonPath(n, "outputsPath", path, false);
        JsonPath usage = jsonPath(n, "usagePath", path, false);
        JsonPath exitCode = jsonPath(n, "exitCodePath", path, false);
        JsonPath logPath = jsonPath(n, "logPath", path, false);
        JsonPath error = jsonPath(n, "errorPath", path, false);
        JsonPath errorCause = jsonPath(n, "errorCausePath", path, false);
        if (statusMap == null || defaultStatus == null || statusPath == null) {
            return null;
        }
        return new ResponseMapping(statusPath, statusMap, defaultStatus, reasonPath, progress, heartbeat, branch, headCommit, prUrl,
                summary, changedFiles, outputs, usage, exitCode, logPath, error, errorCause, output);
    }

    private Map<String, JobState> statusMap(JsonNode n) {
        String at = "response.statusMap";
        JsonNode m = in.field(n, "statusMap", "response", true, "a map of the scheduler's words to one of " + String.join(", ", STATES));
        if (m == null || !in.object(m, at, "a map of the scheduler's words to one of " + String.join(", ", STATES))) {
            return null;
        }
        if (m.isEmpty() || m.size() > MAX_STATUS_WORDS) {
            in.problem(at, "expected 1 to " + MAX_STATUS_WORDS + " words, got " + m.size());
            return null;
        }
        var map = new LinkedHashMap<String, JobState>();
        int before = in.count();
        m.properties().forEach(e -> {
            JsonNode v = e.getValue();
            JobState s = v.isTextual() ? state(v.asText()) : null;
            if (s == null) {
                in.problem(at + "." + e.getKey(), "expected one of " + String.join(", ", STATES) + ", got " + FieldReader.describe(v));
            } else {
                map.put(e.getKey(), s);
            }
        });
        return in.count() > before ? null : map;
    }

    private JsonPath jsonPath(JsonNode n, String field, String path, boolean required) {
        String s = in.text(n, field, path, required);
        if (s == null) {
            return null;
        }
        String at = FieldReader.join(path, field);
        if (s.length() > MAX_JSONPATH) {
            in.problem(at, "expected a JSONPath of at most " + MAX_JSONPATH + " characters, got " + s.length());
            return null;
        }
        if (!s.startsWith("$")) {
            in.problem(at, "expected a JSONPath starting with $, such as $.status.state, got '" + abbreviate(s) + "'");
            return null;
        }
        try {
            return JsonPath.compile(s);
        } catch (InvalidPathException | IllegalArgumentException | IndexOutOfBoundsException e) {
            String why = e.getMessage() == null || e.getMessage().contains("Exception") ? "it cannot be parsed" : e.getMessage().strip();
            in.problem(at, "'" + abbreviate(s) + "' is not a valid JSONPath: " + why);
            return null;
        }
    }

    private static JobState state(String wire) {
        for (JobState s : JobState.values()) {
            if (s.wireName().equals(wire)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The YAML parser's message without the lines of source it quotes (indented, under "in 'reader'"): a manifest
     * with a credential written inline must not have it repeated in the error.
     */
    private static String withoutQuotedSource(String message) {
        if (message == null) {
            return "unreadable";
        }
        return String.join(" ", message.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0))).toList());
    }

    /** A parameter or header name whose value is a credential by its name: token, api_key, X-Amz-Signature, ... */
    static boolean looksLikeCredential(String name) {
        String flat = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        for (String word : List.of("token", "secret", "password", "passwd", "signature", "apikey", "accesskey", "credential")) {
            if (flat.contains(word)) {
                return true;
            }
        }
        var parts = new LinkedHashSet<String>();
        for (String part : name.split("(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")) {
            parts.add(part.toLowerCase(Locale.ROOT));
        }
        return parts.stream().anyMatch(CREDENTIAL_WORDS::contains);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
