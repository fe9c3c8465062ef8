package dev.agentry.agents.gateway;

/**
 * A call the gateway answers itself, in the format of the API the agent called, without a reply from the provider.
 *
 * @param field the request field at fault, or null
 */
final class GatewayRefusal extends Exception {
    enum Kind { INVALID_REQUEST, AUTHENTICATION, BUDGET_EXCEEDED, POLICY, TOO_LARGE, UPSTREAM_UNREACHABLE, UPSTREAM_TIMEOUT }

    private final int status;
    private final Kind kind;
    private final String field;

    GatewayRefusal(int status, Kind kind, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.kind = kind;
        this.field = field;
    }

    static GatewayRefusal invalid(String field, String message) {
        return new GatewayRefusal(400, Kind.INVALID_REQUEST, message, field);
    }

    int status() { return status; }
    Kind kind() { return kind; }
    String field() { return field; }
}
