package dev.agentry.server.http;

import dev.agentry.core.pipeline.Problem;
import java.util.List;

/**
 * An error answered as RFC 9457 problem+json: a stable {@code type} to branch on, a human {@code detail},
 * and the offending {@code field} (or a list of {@code problems} when there are several).
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final String field;
    private final List<Problem> problems;

    public ApiProblem(int status, String type, String title, String detail, String field, List<Problem> problems) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.field = field;
        this.problems = problems;
    }

    public static ApiProblem badRequest(String field, String detail) {
        return new ApiProblem(400, "invalid-request", "The request is not valid", detail, field, List.of(new Problem(field, detail)));
    }

    public static ApiProblem notFound(String field, String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail, field, null);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String title() { return title; }
    public String field() { return field; }
    public List<Problem> problems() { return problems; }

    /**
     * The JSON body. {@code type} is a URN so it is stable across deployments; {@code field} is always
     * present, empty when the problem is with the request as a whole.
     */
    public record Body(String type, String title, int status, String detail, String field, List<Problem> problems) {}

    public Body body() {
        return new Body("urn:agentry:problem:" + type, title, status, getMessage(), field == null ? "" : field,
                problems == null || problems.isEmpty() ? null : problems);
    }
}
